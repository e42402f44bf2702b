import { useState } from "react";
import { TextField } from "../components/fields";

/** A secret the server shows once: read-only, with a button that copies it. */
export function SecretField({ secret, what }: { secret: string; what: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div>
      <p>This is the only time the secret of {what} is shown: keep it now.</p>
      <TextField label="Secret" value={secret} onChange={() => undefined} readOnly />
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard?.writeText(secret).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        Copy
      </button>
      {copied && <p role="status">Copied.</p>}
    </div>
  );
}
