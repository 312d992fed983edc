// Scans in the background (after a folder is added): one at a time, and a request while one runs
// is coalesced into one more round after it, however many arrive.

export interface BackgroundScanHooks {
  /** After each round, whether it succeeded or failed. */
  onRound(): void;
  /** A round failed (not reported once close() was called). */
  onError(e: unknown): void;
}

export class BackgroundScans {
  private scanning = false;
  private again = false;
  private closed = false;

  constructor(
    private readonly scan: () => Promise<unknown>,
    private readonly hooks: BackgroundScanHooks,
  ) {}

  /** Starts a scan now, or one more after the one running. */
  request(): void {
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.scanning = true;
    void (async () => {
      do {
        this.again = false;
        try {
          await this.scan();
        } catch (e) {
          if (!this.closed) this.hooks.onError(e);
        }
        this.hooks.onRound();
      } while (this.again && !this.closed);
      this.scanning = false;
    })();
  }

  /** No further rounds start; a round in flight finishes. */
  close(): void {
    this.closed = true;
  }
}
