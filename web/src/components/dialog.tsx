// Dialogs from Radix: focus is trapped inside, Escape closes, and focus returns to what opened it.
import * as RadixDialog from "@radix-ui/react-dialog";
import type { ReactNode } from "react";

export function Dialog(props: {
  title: string;
  open: boolean;
  onOpenChange(open: boolean): void;
  trigger?: ReactNode;
  children: ReactNode;
}) {
  return (
    <RadixDialog.Root open={props.open} onOpenChange={props.onOpenChange}>
      {props.trigger && <RadixDialog.Trigger asChild>{props.trigger}</RadixDialog.Trigger>}
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="overlay" />
        <RadixDialog.Content className="dialog" aria-describedby={undefined}>
          <RadixDialog.Title>{props.title}</RadixDialog.Title>
          {props.children}
          <RadixDialog.Close asChild>
            <button type="button" className="secondary">
              Cancel
            </button>
          </RadixDialog.Close>
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/** Asks before an action that cannot be undone lightly (declaring a winner, rolling out, revoking). */
export function ConfirmButton(props: {
  label: string;
  question: string;
  confirm?: string;
  onConfirm(): void;
  open: boolean;
  onOpenChange(open: boolean): void;
}) {
  return (
    <Dialog
      title={props.label}
      open={props.open}
      onOpenChange={props.onOpenChange}
      trigger={<button type="button">{props.label}</button>}
    >
      <p>{props.question}</p>
      <button
        type="button"
        onClick={() => {
          props.onOpenChange(false);
          props.onConfirm();
        }}
      >
        {props.confirm ?? "Confirm"}
      </button>
    </Dialog>
  );
}
