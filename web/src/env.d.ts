/// <reference types="vite/client" />
/** The API's address, fixed at build time (web/vite.config.ts). */
declare const __PX_API_URL__: string;
