/** Nest injection token for the api's SecurityConfig (see security-config.ts). */
export const SECURITY_CONFIG = Symbol('SECURITY_CONFIG');
