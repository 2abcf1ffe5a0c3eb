import type { InstanceSummary } from '../../../licensing/instances/instance-views.js';
import { csvRows, toCsv, type CsvColumn } from '../csv-writer.js';
import { isoTime, isoTimeOrNull } from '../shared/request-fields.js';

/** Columns of the product instance export, in the order a spreadsheet shows them. */
export const INSTANCE_CSV_COLUMNS: ReadonlyArray<CsvColumn<InstanceSummary>> = [
  { header: 'id', value: (s) => s.instance.id },
  { header: 'hostname', value: (s) => s.instance.hostname },
  { header: 'ip_address', value: (s) => s.instance.ipAddress },
  { header: 'udi_pid', value: (s) => s.instance.udi.pid },
  { header: 'udi_serial_number', value: (s) => s.instance.udi.serialNumber },
  { header: 'udi_vid', value: (s) => s.instance.udi.vid },
  { header: 'host_identifier', value: (s) => s.instance.udi.hostIdentifier },
  { header: 'product_tag', value: (s) => s.instance.productTag },
  { header: 'virtual_account', value: (s) => s.virtualAccountName },
  { header: 'registration_state', value: (s) => s.instance.registrationState },
  { header: 'authorization_state', value: (s) => s.instance.authorizationState },
  { header: 'registered_at', value: (s) => isoTime(s.instance.registeredAt) },
  { header: 'last_contact_at', value: (s) => isoTime(s.instance.lastContactAt) },
  { header: 'authorized_at', value: (s) => isoTimeOrNull(s.instance.authorizedAt) },
  { header: 'authorization_expires_at', value: (s) => isoTimeOrNull(s.instance.authorizationExpiresAt) },
  { header: 'certificate_serial', value: (s) => s.instance.currentCertificateSerial },
  { header: 'certificate_not_after', value: (s) => isoTimeOrNull(s.certificateNotAfter) },
];

/** The header line, then one CSV chunk per window of rows (the same text inline and in the read worker). */
export async function* instanceCsvChunks(rows: AsyncIterable<InstanceSummary[]>): AsyncGenerator<string> {
  yield toCsv(INSTANCE_CSV_COLUMNS, []);
  for await (const chunk of rows) yield csvRows(INSTANCE_CSV_COLUMNS, chunk);
}
