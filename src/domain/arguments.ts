import { optional, text } from './schema';

/** A person's name as given: trimmed, and refused when blank, so every decision has someone accountable. */
export const operatorName = text({
  trim: true,
  min: 1,
  max: 200,
  missing: 'is missing (who decides)',
  notText: 'must be a name (text)',
  tooShort: 'must not be blank (who decides)',
});

/** A free-text note: optional, and kept short enough for the audit trail. */
export const operatorNote = optional(text({ trim: true, max: 2_000 }));
