import type { ComponentChildren } from 'preact';
import { ErrorAlert } from '../components/bits';
import { Dialog } from '../components/dialog';
import { useAction } from './use-action';

/** "Are you sure?" for one action; the action's result message goes to `onDone`. */
export function ConfirmDialog(props: {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  action: () => Promise<string>;
  onClose: () => void;
  onDone: (message: string) => void;
  children: ComponentChildren;
}) {
  const { busy, error, run } = useAction(props.action, props.onDone);
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        {props.children}
        <ErrorAlert error={error} />
        <div class="buttons">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={busy}>
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
