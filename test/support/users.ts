/** Creates users with tokens through the real REST API (as the admin). */
import { client, Client } from './http';
import type { TestServer } from './server';

export interface TestUser {
  id: string;
  name: string;
  token: string;
  api: Client;
}

let counter = 0;

export async function createUser(server: TestServer, roles: string[], groups: string[] = [], name?: string): Promise<TestUser> {
  counter += 1;
  const userName = name ?? `${roles.join('+') || 'nobody'}-${counter}`;
  const user = await server.api.post('/api/users', { name: userName, email: `${userName}-${counter}@example.com`, roles, groups });
  if (user.status !== 201) throw new Error(`creating user failed: ${JSON.stringify(user.body)}`);
  const token = await server.api.post(`/api/users/${user.body.id}/tokens`, { name: 'test' });
  return { id: user.body.id, name: userName, token: token.body.token, api: client(server.stagegate.url, token.body.token) };
}
