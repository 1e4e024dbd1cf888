import { HeraldApiError } from '../../../clients/typescript/src/index';

/** What went wrong, as lines a reader can act on: the API's JSON:API errors, or that it could not be reached. */
export function errorLines(error: unknown): string[] {
  if (error instanceof HeraldApiError) return error.errors.map((e) => `${e.title}: ${e.detail}`);
  return ['Herald could not be reached. Check your connection and try again.'];
}

/** A failed call, announced when it appears (`role="alert"`); nothing when there is no error. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const lines = errorLines(error);
  return (
    <div class="notice notice-error" role="alert">
      {lines.length === 1 ? (
        <p>{lines[0]}</p>
      ) : (
        <ul>
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
