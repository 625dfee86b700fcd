/** The bearer scheme's name in the document; the route decorators refer to it. */
export const BEARER_SCHEME = 'bearer';
