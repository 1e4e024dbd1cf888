import { useEffect, useState } from 'preact/hooks';

/**
 * Copies `text` to the clipboard and says so where a screen reader hears it. `label` is the
 * button's accessible name ("Copy URL of inbox orders"), since several may share one page.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [said, setSaid] = useState('');
  useEffect(() => {
    if (!said) return;
    const timer = setTimeout(() => setSaid(''), 3000);
    return () => clearTimeout(timer);
  }, [said]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied');
    } catch {
      setSaid('Could not copy: select the text and copy it');
    }
  };
  return (
    <span class="copy">
      <button type="button" class="button" aria-label={label} onClick={copy}>
        Copy
      </button>
      <span role="status" class="copy-status">
        {said}
      </span>
    </span>
  );
}
