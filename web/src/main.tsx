import { ApolloProvider } from "@apollo/client/react";
import { StrictMode, useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router/dom";
import { apolloClientFor } from "./api";
import { router } from "./routes";
import { forgetToken, storedToken, storeToken, takeTokenFromAddress } from "./session";
import { SignIn, viewerOf } from "./sign-in";
import { ViewerContext, type Viewer } from "./viewer";
import "./styles.css";

type State =
  | { phase: "checking" }
  | { phase: "signed-out"; refused: string | null }
  | { phase: "signed-in"; token: string; viewer: Viewer };

function App() {
  const [state, setState] = useState<State>({ phase: "checking" });
  const signIn = async (token: string) => {
    setState({ phase: "checking" });
    const answer = await viewerOf(token);
    if ("refused" in answer) {
      forgetToken();
      setState({ phase: "signed-out", refused: answer.refused });
    } else {
      storeToken(token);
      setState({ phase: "signed-in", token, viewer: answer.viewer });
    }
  };
  useEffect(() => {
    takeTokenFromAddress();
    const token = storedToken();
    if (token) void signIn(token);
    else setState({ phase: "signed-out", refused: null });
  }, []);
  const client = useMemo(() => (state.phase === "signed-in" ? apolloClientFor(state.token) : null), [state]);

  if (state.phase === "checking")
    return (
      <p role="status" className="status">
        Signing in…
      </p>
    );
  if (state.phase === "signed-out" || !client)
    return (
      <SignIn
        refused={state.phase === "signed-out" ? state.refused : null}
        onSignIn={(token) => void signIn(token)}
      />
    );
  const signOut = () => {
    forgetToken();
    void client.clearStore();
    setState({ phase: "signed-out", refused: null });
  };
  return (
    <ApolloProvider client={client}>
      <ViewerContext.Provider
        value={{ viewer: state.viewer, signOut, signIn: (token) => void signIn(token) }}
      >
        <RouterProvider router={router} />
      </ViewerContext.Provider>
    </ApolloProvider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
