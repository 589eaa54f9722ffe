// The Node-only part of the SDK (`pacerpro-client/node`), kept out of the main entry so browsers never load node: modules.
export { FileTokenStore } from './file-token-store.js';
