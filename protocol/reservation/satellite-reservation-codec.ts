import type { ReservationCodec, RequestCodeInfo, SpecificAuthorizationInput } from '../../licensing/reservations/reservation-codec.js';
import { isoDate } from '../../licensing/reservations/reservation-rules.js';
import { ValidationError } from '../../licensing/shared/domain-error.js';
import { confirmationCodeFor, formatPlrAuthorizationCode, plrSignedText, returnCodeFor, sameCode } from './reservation-codes.js';
import { ReservationCodeError } from './reservation-code-error.js';
import { parseReservationRequestCode } from './reservation-request-code.js';
import { formatSlrAuthorizationCode } from './slr-authorization-code.js';

/** The satellite signing key as the codes need it (SatellitePki). */
export interface ReservationSigner {
  /** Base64 DER ECDSA-SHA256. */
  sign(text: string): string;
  /** 64-byte r‖s ECDSA-SHA256. */
  signRaw(text: string): Uint8Array;
}

/** The code formats of DESIGN §9.1 behind the domain's ReservationCodec port. */
export class SatelliteReservationCodec implements ReservationCodec {
  readonly #signer: ReservationSigner;

  constructor(signer: ReservationSigner) {
    this.#signer = signer;
  }

  parseRequestCode(code: string): RequestCodeInfo {
    try {
      const parsed = parseReservationRequestCode(code);
      return { code: parsed.code, pid: parsed.pid, serialNumber: parsed.serialNumber, vid: parsed.vid, hostIdentifier: parsed.hostIdentifier };
    } catch (error) {
      if (error instanceof ReservationCodeError) throw new ValidationError(error.reason, { field: 'reservationCode' });
      throw error;
    }
  }

  issueSpecific(input: SpecificAuthorizationInput): string {
    return formatSlrAuthorizationCode({
      piid: input.productInstanceId, timestamp: input.issuedAt, udi: input.udi,
      entitlements: input.entitlements.map((e) => ({
        tag: e.tag, count: e.count, startDate: isoDate(e.startsAt), endDate: isoDate(e.endsAt), licenseType: e.licenseType,
        displayName: e.displayName, tagDescription: e.description, subscriptionId: '',
      })),
    }, (text) => this.#signer.sign(text));
  }

  issueUniversal(requestCode: string): string {
    return formatPlrAuthorizationCode(this.#signer.signRaw(plrSignedText(requestCode)));
  }

  confirmationCode(authorizationCode: string): string {
    return confirmationCodeFor(authorizationCode);
  }

  returnCode(authorizationCode: string): string {
    return returnCodeFor(authorizationCode);
  }

  sameCode(typed: string, expected: string): boolean {
    return sameCode(typed, expected);
  }
}
