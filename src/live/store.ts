// Holds the live state and tells subscribers (the UI) when it changed.
import { initialLiveState, liveReducer, type LiveEvent, type LiveState } from '../derive/live-state.js';

export class LiveStore {
  private state: LiveState = initialLiveState();
  private readonly listeners = new Set<() => void>();

  readonly getState = (): LiveState => this.state;

  readonly subscribe = (onChange: () => void): (() => void) => {
    this.listeners.add(onChange);
    return () => {
      this.listeners.delete(onChange);
    };
  };

  dispatch(e: LiveEvent): void {
    this.state = liveReducer(this.state, e);
    for (const l of this.listeners) l();
  }
}
