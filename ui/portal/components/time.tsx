const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A moment in the reader's locale and time zone, machine-readable in `datetime`; "never" for none. */
export function Time({ value }: { value: string | null }) {
  if (value === null) return <span>never</span>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  return <time dateTime={date.toISOString()}>{format.format(date)}</time>;
}
