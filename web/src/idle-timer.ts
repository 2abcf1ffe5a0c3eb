/**
 * The satellite ends a session after its idle timeout; the browser mirrors that timer so an unattended
 * screen goes back to sign-in by itself, with a message. Every answered request restarts it, as each one
 * restarts the server's. The idle window is what the satellite said at sign-in (idleExpiresAt − now).
 */
export class IdleTimer {
  #timer: number | null = null;
  #idleMs = 0;

  constructor(private readonly expired: (idleMinutes: number) => void) {}

  start(idleExpiresAt: string | null): void {
    if (idleExpiresAt === null) return;
    this.#idleMs = Math.max(1_000, Date.parse(idleExpiresAt) - Date.now());
    this.touch();
  }

  touch(): void {
    if (this.#idleMs === 0) return;
    if (this.#timer !== null) window.clearTimeout(this.#timer);
    this.#timer = window.setTimeout(() => {
      this.#timer = null;
      const minutes = Math.round(this.#idleMs / 60_000);
      this.stop();
      this.expired(minutes);
    }, this.#idleMs);
  }

  stop(): void {
    if (this.#timer !== null) window.clearTimeout(this.#timer);
    this.#timer = null;
    this.#idleMs = 0;
  }
}
