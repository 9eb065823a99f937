/** Workflow ids are business keys: starting the same business object twice is refused, not doubled. */
export const workflowIds = {
  welcomeUser: (userId: string) => `welcome-user-${userId}`,
};
