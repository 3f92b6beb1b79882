import { useState } from 'preact/hooks';

/** Runs a dialog's action once at a time, keeping its failure to show in the dialog. */
export function useAction(action: () => Promise<string>, onDone: (message: string) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      onDone(await action());
    } catch (failure) {
      setError(failure as Error);
      setBusy(false);
    }
  };
  return { busy, error, run };
}
