// A <dialog> shown modally while its component is mounted (focus trapped, Escape fires onCancel) and closed when it
// unmounts: the confirmation dialogs (cancel a membership, cancel a case, close the account) share it.
import { useEffect, useRef, type RefObject } from 'react';

export function useModalDialog(): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);
  return dialog;
}
