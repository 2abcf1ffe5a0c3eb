/** An API error, shown in the form or dialog whose action failed (DESIGN §10: role=alert, error.message). */
export function ErrorAlert(props: { message: string | null }) {
  if (!props.message) return null;
  return <p role="alert" class="error">{props.message}</p>;
}
