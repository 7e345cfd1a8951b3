/** Held-out shares of the grounding splits (by group hash); training and `leash eval` must agree. */
export const BEGIN_HELD_OUT_SHARE = 0.2
export const HALU_HELD_OUT_SHARE = 0.5
export const WICE_HELD_OUT_SHARE = 0.5
