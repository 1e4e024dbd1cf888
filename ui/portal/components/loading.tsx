/** Shown while something loads; a screen reader hears `label` once. */
export function Loading({ label }: { label: string }) {
  return (
    <p class="loading" role="status">
      {label}…
    </p>
  );
}
