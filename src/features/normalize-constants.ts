/** Added to the std so a constant window gives z = 0 instead of 0/0 (the specification's epsilon). */
export const NORMALIZATION_EPSILON = 1e-9;
