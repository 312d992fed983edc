// One typed event channel: listeners added with on() (which returns the function that removes the
// listener), called in order by emit(). A leaf: anything in the engine may use it.

export type Unsubscribe = () => void;

export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  /**
   * @param onListenerError when given, a listener that throws is reported here and the others
   * still run; without it the error propagates to emit()'s caller.
   */
  constructor(private readonly onListenerError?: (e: unknown) => void) {}

  on(listener: (value: T) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(value: T): void {
    for (const l of [...this.listeners]) {
      if (!this.onListenerError) l(value);
      else {
        try {
          l(value);
        } catch (e) {
          this.onListenerError(e);
        }
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }
}
