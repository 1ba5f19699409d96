/**
 * Who the console signs in as: access key pairs (one per account signed in to), the active
 * one, and the region. Kept in sessionStorage, so closing the tab signs out; every request is
 * signed with the active key pair in this page, as the AWS CLI signs with its profile.
 */
import { useSyncExternalStore } from 'react';

export interface Profile {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** From STS GetCallerIdentity at sign-in. */
  account: string;
  arn: string;
}

export interface Session {
  profiles: Profile[];
  active: number;
  region: string;
}

export const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'eu-north-1',
  'ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-south-1', 'sa-east-1', 'ca-central-1',
];

const KEY = 'wharf-console-session';
const listeners = new Set<() => void>();
let current: Session | undefined = read();

function read(): Session | undefined {
  try {
    const text = sessionStorage.getItem(KEY);
    return text ? (JSON.parse(text) as Session) : undefined;
  } catch {
    return undefined;
  }
}

function write(next: Session | undefined): void {
  current = next;
  if (next) sessionStorage.setItem(KEY, JSON.stringify(next));
  else sessionStorage.removeItem(KEY);
  for (const l of listeners) l();
}

/** The session, or undefined before sign-in. */
export const getSession = (): Session | undefined => current;

/** The active profile (throws before sign-in: pages render only after it). */
export function activeProfile(): Profile {
  if (!current) throw new Error('Not signed in.');
  return current.profiles[current.active];
}

/** Re-renders on sign-in, sign-out, account or region switch. */
export function useSession(): Session | undefined {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, getSession);
}

/** Adds (or refreshes) a profile and makes it active. */
export function signIn(profile: Profile, region: string): void {
  const profiles = (current?.profiles ?? []).filter((p) => p.accessKeyId !== profile.accessKeyId);
  profiles.push(profile);
  write({ profiles, active: profiles.length - 1, region });
}

export function switchProfile(index: number): void {
  if (current && current.profiles[index]) write({ ...current, active: index });
}

export function switchRegion(region: string): void {
  if (current) write({ ...current, region });
}

/** Signs the active profile out (the others stay signed in). */
export function signOut(): void {
  if (!current) return;
  const profiles = current.profiles.filter((_, i) => i !== current!.active);
  write(profiles.length ? { ...current, profiles, active: profiles.length - 1 } : undefined);
}
