import type { RunEndOutcome, TraceEvent } from '../src/protocol/index.js';
import { emptyOverlay, endedEarly, type OverlayState } from './overlay.js';
import { Steps } from './steps.js';

/**
 * The timeline under the graph: a slider over the steps of the last run, play/pause, Stop while the run is live,
 * the verbose line of the current step, and how the run ended. While a run streams in, it follows the newest step.
 */
export class Timeline {
  private steps = new Steps();
  private position = 0;
  /** The overlay after `appliedSteps` steps: moving forward only applies the new steps. */
  private overlay: OverlayState = emptyOverlay();
  private appliedSteps = 0;
  private following = true;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** A run has started: the timeline shows (and takes its room) before the first step arrives. */
  private open = false;
  /** How the run ended; undefined while it is live (or before any run). */
  private ended: { outcome: RunEndOutcome; summary: string } | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly slider: HTMLInputElement,
    private readonly play: HTMLElement,
    private readonly label: HTMLElement,
    private readonly stopButton: HTMLElement,
    private readonly outcome: HTMLElement,
    private readonly onChange: (overlay: OverlayState) => void,
  ) {
    slider.addEventListener('input', () => this.seek(Number(slider.value), false));
    play.addEventListener('click', () => this.toggle());
    root.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        e.preventDefault();
        this.seek(this.position + (e.key === 'ArrowLeft' ? -1 : 1), false);
      } else if (e.key === 'Home' || e.key === 'End') {
        e.preventDefault();
        this.seek(e.key === 'Home' ? 0 : this.steps.length, false);
      } else if (e.key === ' ' && e.target === root) {
        e.preventDefault();
        this.toggle();
      }
    });
  }

  get length(): number {
    return this.steps.length;
  }

  /** The time of the slider's position (ms since the run started), if the trace carries times. */
  get positionTime(): number | undefined {
    return this.steps.timeAt(this.position);
  }

  /** Starts a new run's timeline; it shows at once, so the graph does not resize while steps stream in. */
  reset(): void {
    this.open = true;
    this.stop();
    this.steps = new Steps();
    this.position = 0;
    this.overlay = emptyOverlay();
    this.appliedSteps = 0;
    this.following = true;
    this.ended = undefined;
    this.render();
  }

  /** No run to show (the view moved to another file): the timeline hides and the overlay empties. */
  clear(): void {
    this.reset();
    this.open = false;
    this.render();
    this.onChange(this.overlay);
  }

  /** The run is over: Stop goes away, the outcome is shown, and an unfinished run's running ops show as stopped. */
  end(outcome: RunEndOutcome, summary: string): void {
    this.open = true;
    this.ended = { outcome, summary };
    this.render();
    this.onChange(this.overlayAtPosition());
  }

  /** Whether a run is live (its Stop button shows). */
  get live(): boolean {
    return this.open && this.ended === undefined;
  }

  append(events: readonly TraceEvent[]): void {
    this.steps.append(events);
    if (this.following) this.position = this.steps.length;
    this.scheduleRender();
    this.onChange(this.overlayAtPosition());
  }

  private renderQueued = false;

  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  /**
   * Moving forward applies only the new steps; the last applied step is applied again because events
   * without a line (durations, values) may have joined it since. Applying a step twice gives the same states.
   */
  private overlayAtPosition(): OverlayState {
    if (this.position < this.appliedSteps) this.overlay = this.steps.overlayAt(this.position);
    else this.overlay = this.steps.overlayAt(this.position, this.overlay, Math.max(0, this.appliedSteps - 1));
    this.appliedSteps = this.position;
    const early = this.ended !== undefined && this.ended.outcome !== 'done' && this.position === this.steps.length;
    return early ? endedEarly(this.overlay) : this.overlay;
  }

  seek(position: number, follow: boolean): void {
    this.position = Math.max(0, Math.min(this.steps.length, position));
    this.following = follow || this.position === this.steps.length;
    this.render();
    this.onChange(this.overlayAtPosition());
  }

  private toggle(): void {
    if (this.timer) return this.stop();
    if (this.position >= this.steps.length) this.seek(0, false);
    this.timer = setInterval(() => {
      if (this.position >= this.steps.length) this.stop();
      else this.seek(this.position + 1, false);
    }, 400);
    this.render();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.render();
  }

  private render(): void {
    this.root.hidden = !this.open && this.steps.length === 0;
    this.slider.max = String(this.steps.length);
    this.slider.value = String(this.position);
    this.slider.setAttribute('aria-valuetext', `step ${this.position} of ${this.steps.length}`);
    this.play.textContent = this.timer ? 'Pause' : 'Play';
    const current =
      this.position > 0
        ? this.steps.line(this.position - 1)
        : this.steps.length > 0
          ? 'before the run'
          : this.ended
            ? 'no step ran'
            : 'waiting for the first step…';
    this.label.textContent = `${this.position}/${this.steps.length} · ${current}`;
    this.stopButton.hidden = !this.live;
    this.outcome.textContent = this.ended?.summary ?? '';
    this.outcome.className = this.ended ? `outcome-${this.ended.outcome}` : '';
  }
}
