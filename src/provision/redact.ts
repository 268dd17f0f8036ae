/** The redactor moved to src/secrets (one for everything); kept here for existing imports. */
export { Redactor } from '../secrets/redactor.ts';
