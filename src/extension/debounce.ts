/**
 * Runs the last scheduled task once no other has been scheduled for `delayMs`. Disposing drops a pending task
 * and its timer (the extension disposes it on deactivation, so that no timer outlives the extension).
 */
export class Debouncer {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly delayMs: number) {}

  schedule(task: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      task();
    }, this.delayMs);
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
