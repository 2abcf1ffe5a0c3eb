import { Field } from './field';
import { useState } from 'preact/hooks';

/** A read-only textbox with a Copy button, for a secret or code that is shown once. */
export function CopyField(props: { label: string; value: string; multiline?: boolean; download?: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied('Copied.');
    } catch {
      setCopied('Copying is not allowed here; select the text and copy it by hand.');
    }
  };
  return (
    <div class="copy-field">
      <Field label={props.label}>
        {props.multiline
          ? <textarea readOnly rows={6} value={props.value} onFocus={(e) => e.currentTarget.select()} />
          : <input readOnly value={props.value} onFocus={(e) => e.currentTarget.select()} />}
      </Field>
      <button type="button" onClick={() => void copy()}>Copy</button>
      {props.download && (
        <button type="button" onClick={() => saveText(props.download ?? 'code.txt', props.value)}>Download</button>
      )}
      <span role="status">{copied}</span>
    </div>
  );
}

/** Saves text as a file through a blob URL (nothing leaves the browser). */
export function saveText(filename: string, text: string): void {
  saveBlob(filename, new Blob([text], { type: 'text/plain' }));
}

export function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
