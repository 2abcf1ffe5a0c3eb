/** A reservation code that cannot be read; `reason` names what is wrong, for a 400 or a CLI message. */
export class ReservationCodeError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'ReservationCodeError';
    this.reason = reason;
  }
}
