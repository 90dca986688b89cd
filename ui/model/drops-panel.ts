// The drops panel. There is no drop probe yet, so it says so instead of
// showing numbers it does not have.
import { message, type Block } from './block.js';

export const DROPS_NOT_LOADED = 'drop probe not loaded (coming with irqlens doctor)';

export function dropsPanel(): Block {
  return message(DROPS_NOT_LOADED);
}
