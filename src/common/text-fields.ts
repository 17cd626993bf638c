import { z } from 'zod';

/** Text a form must have: trimmed, not empty, not longer than `max`; each message names the field. */
export const requiredText = (message: string, max: number, label: string) =>
  z
    .string({ error: message })
    .trim()
    .min(1, message)
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`);

/** Text a form may leave empty: trimmed, '' when absent. */
export const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`)
    .default('');
