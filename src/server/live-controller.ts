export type { LiveController, LiveEvent, Alert } from '../live/types.js';
