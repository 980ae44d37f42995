/** Authorization in one place: permissions, roles, token scopes and project access. */
export * from './permissions.js';
export * from './access.js';
