// Kept by hand in step with package.json (a test checks it): the SDK reads no files, so it can run in a browser.
export const VERSION = '0.1.0';
