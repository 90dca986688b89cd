// Disruption attribution: what interrupts cost a workload beyond their handler time.
export * from './types.js';
export { Rng } from './rng.js';
export {
  excludePeriods,
  exclusionReason,
  describeExcluded,
  emptyExclusionCounts,
  type Exclusion,
  type ExclusionOptions,
} from './exclude.js';
export {
  buildHitIndex,
  exposureMatrix,
  hitCounts,
  lowerBound,
  placeboIndex,
  rangeCounts,
  type ExposureMatrix,
  type HitIndex,
} from './exposure.js';
export {
  HUBER_K,
  demeanWithin,
  fixedEffectBlocks,
  huberFit,
  olsFit,
  solveSpd,
  type Design,
  type Fit,
  type HuberOptions,
} from './huber.js';
export { blockResample, percentileInterval } from './bootstrap.js';
export { estimate, withBound, DEFAULT_MIN_EXPOSED, DEFAULT_MIN_PERIODS } from './estimate.js';
export { summarize, ipcFigures } from './summary.js';
export { deliveryLags, atArrival, EDGE_SHARE, MIN_LAG_HITS, LAG_QUANTILE } from './delivery-lag.js';
