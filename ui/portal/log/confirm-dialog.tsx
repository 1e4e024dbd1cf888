import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * A modal question before an action that cannot be undone (a rotation, a recovery): the browser's
 * own `<dialog>`, which keeps focus inside, closes on Escape and returns focus to where it was.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (props.open && !element.open) element.showModal();
    if (!props.open && element.open) element.close();
  }, [props.open]);
  const titleId = `confirm-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog
      ref={dialog}
      class="log-dialog"
      aria-labelledby={titleId}
      // Escape closes the dialog by itself; the page hears of it as a cancel.
      onClose={() => props.open && props.onCancel()}
    >
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
      <div class="log-actions">
        <button type="button" class="button button-primary" onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
        <button type="button" class="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
