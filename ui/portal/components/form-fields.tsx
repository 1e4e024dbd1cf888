import type { ComponentChildren, RefObject } from 'preact';

/**
 * Form fields that carry the API's errors accessibly: each control names its hint and its error
 * in `aria-describedby` and says `aria-invalid`; the error summary above a form takes the focus and
 * links to each field. Ids: the control's `id`, then `{id}-hint` and `{id}-error`.
 */

const hintOf = (id: string) => `${id}-hint`;
const errorOf = (id: string) => `${id}-error`;

/** `aria-describedby` of control `id`: its hint (when it has one) and its error (when it has one). */
export function describedBy(id: string, hasHint: boolean, errors: readonly string[]): string | undefined {
  const ids = [...(hasHint ? [hintOf(id)] : []), ...(errors.length > 0 ? [errorOf(id)] : [])];
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** The props that tie control `id` to its hint and error. */
export function describedControl(id: string, hasHint: boolean, errors: readonly string[]) {
  return {
    id,
    'aria-describedby': describedBy(id, hasHint, errors),
    'aria-invalid': errors.length > 0 ? true : undefined,
  };
}

export function FieldHint({ id, children }: { id: string; children: ComponentChildren }) {
  return (
    <p id={hintOf(id)} class="hint">
      {children}
    </p>
  );
}

/** The errors of control `id`, between its label and itself, where a reader meets them. */
export function FieldError({ id, errors }: { id: string; errors: readonly string[] }) {
  if (errors.length === 0) return null;
  return (
    <p id={errorOf(id)} class="field-error">
      <span class="visually-hidden">Error: </span>
      {errors.join(' ')}
    </p>
  );
}

export interface TextFieldProps {
  id: string;
  name: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  errors: readonly string[];
  hint?: ComponentChildren;
  type?: 'text' | 'url';
  /** The on-screen keyboard to offer: `numeric` for a count (the value stays text). */
  inputMode?: 'numeric';
  required?: boolean;
  maxLength?: number;
  placeholder?: string;
}

export function TextField({ id, label, hint, errors, onInput, required, ...input }: TextFieldProps) {
  return (
    <div class="field">
      <label for={id}>
        {label}
        {!required && <span class="optional"> (optional)</span>}
      </label>
      {hint && <FieldHint id={id}>{hint}</FieldHint>}
      <FieldError id={id} errors={errors} />
      <input
        {...input}
        {...describedControl(id, hint !== undefined, errors)}
        required={required}
        autocomplete="off"
        spellcheck={false}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </div>
  );
}

export interface SummaryItem {
  message: string;
  /** The field it belongs to: its label and its control's id. None: a problem of the whole form. */
  field?: { label: string; id: string };
}

/** "There are N problems", each linking to its field; `summaryRef` takes the focus after a refused submit. */
export function ErrorSummary({
  items,
  summaryRef,
}: {
  items: SummaryItem[];
  summaryRef: RefObject<HTMLElement>;
}) {
  if (items.length === 0) return null;
  const focus = (event: Event, id: string) => {
    // The fragment is the route: focus the field instead of following the link.
    event.preventDefault();
    document.getElementById(id)?.focus();
  };
  return (
    <section class="error-summary" tabIndex={-1} ref={summaryRef} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">
        {items.length === 1 ? 'There is a problem' : `There are ${items.length} problems`}
      </h2>
      <ul>
        {items.map(({ message, field }) => (
          <li key={`${field?.id}:${message}`}>
            {field ? (
              <a href={`#${field.id}`} onClick={(e) => focus(e, field.id)}>
                {field.label}: {message}
              </a>
            ) : (
              message
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
