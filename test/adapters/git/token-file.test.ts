import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openGitHost } from '../../../src/adapters/git/open-git-host.js';
import { parseConfig } from '../../../src/config/config.js';
import { UserError } from '../../../src/core/errors.js';
import { GitHostError, type GitHostPort } from '../../../src/core/ports/git-host.js';
import { startFakeGitHubApi, type FakeGitHubApi } from '../../fakes/github-api.js';
import { startFakeGitLabApi, type FakeGitLabApi } from '../../fakes/gitlab-api.js';

// GitHub App installation tokens all have the same length: a rotation changes neither the size nor the path.
const OLD = 'ghs_old0000000000000000000000000000000';
const NEW = 'ghs_new1111111111111111111111111111111';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gitops-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `prod` with gitops on the fake, its token in `tokenFile`, the Git host as the bot opens it. */
function hostFor(provider: 'github' | 'gitlab', apiUrl: string, tokenFile: string): GitHostPort {
  const repo = provider === 'github' ? 'example/gitops' : 'group/gitops';
  const gitops = { provider, repo, files: { appConfigMap: 'app.yaml' }, tokenFile, apiUrl };
  const cfg = parseConfig(
    { environments: { prod: { profile: 'production', redis: { url: 'redis://x:1' }, gitops } } },
    't',
  );
  const host = openGitHost({ name: 'prod', gitops: cfg.environments.prod?.gitops }, {}, 2000);
  if (!host) throw new Error('expected a Git host');
  return host;
}

/**
 * A Kubernetes Secret mounted as a volume, as the kubelet lays it out and updates it: `token` is a symlink to
 * `..data/token`, `..data` a symlink to a timestamped directory, swapped atomically (rename) on an update.
 */
function secretVolume(token: string): { path: string; update(token: string): void } {
  let n = 0;
  const version = (t: string) => {
    const name = `..2026_12_05_14_00_0${n++}`;
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'token'), `${t}\n`);
    return name;
  };
  symlinkSync(version(token), join(dir, '..data'));
  symlinkSync('..data/token', join(dir, 'token'));
  return {
    path: join(dir, 'token'),
    update(t) {
      symlinkSync(version(t), join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    },
  };
}

/** A file a sidecar rewrites in place; written an hour ago, as a token that is about to expire was. */
function sidecarFile(token: string): string {
  const path = join(dir, 'gitops-token');
  writeFileSync(path, token);
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(path, hourAgo, hourAgo);
  return path;
}

async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof Error)) throw new Error(`expected an error, got ${String(e)}`);
  return e;
}

describe('gitops.tokenFile on GitHub (Octokit against the fake GitHub)', () => {
  let api: FakeGitHubApi;
  let tokens: Record<string, 'write' | 'read'>;
  beforeEach(async () => {
    tokens = { [OLD]: 'write' };
    api = await startFakeGitHubApi({ owner: 'example', name: 'gitops', files: { 'app.yaml': 'a: 1\n' }, tokens });
  });
  afterEach(() => api.close());

  /** The provider rotates: the new token is valid, the old one no longer. */
  const rotate = () => {
    tokens[NEW] = 'write';
    delete tokens[OLD];
  };

  it('a Secret volume updated between two calls: the second call carries the new token, no restart', async () => {
    const volume = secretVolume(OLD);
    const git = hostFor('github', api.baseUrl, volume.path);
    const main = await git.headSha('main');
    // When the kubelet swaps the Secret's data and the old token is revoked
    volume.update(NEW);
    rotate();
    // Then the next call reads the file again and the fake accepts it
    expect(await git.headSha('main')).toBe(main);
    expect(api.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it('a file a sidecar rewrites in place (same size, same inode): the next call uses the new token', async () => {
    const path = sidecarFile(OLD);
    const git = hostFor('github', api.baseUrl, path);
    await git.headSha('main');
    writeFileSync(path, NEW);
    rotate();
    await git.createBranch('session-ttl/x-1', await git.headSha('main'));
    expect(api.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'GET 200', 'POST 201']);
    expect(api.repo.branches.has('session-ttl/x-1')).toBe(true);
  });

  it('a rotation racing a call (401): the file is read once more and that call retried once with the new token', async () => {
    const volume = secretVolume(OLD);
    const git = hostFor('github', api.baseUrl, volume.path);
    const main = await git.headSha('main');
    // Given the token rotates after the bot read the file, while its request is on the way
    api.onNext(/^POST .*\/git\/refs$/, () => {
      volume.update(NEW);
      rotate();
    });
    await git.createBranch('session-ttl/x-2', main);
    expect(api.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([401, 201]);
    expect(api.repo.branches.get('session-ttl/x-2')).toBe(main);
  });

  it('a 401 with the file unchanged is not retried: the error names the file, never the token', async () => {
    const path = sidecarFile(OLD);
    const git = hostFor('github', api.baseUrl, path);
    delete tokens[OLD];
    const e = await failure(git.headSha('main'));
    expect(e).toBeInstanceOf(GitHostError);
    expect(e.message).toBe(
      `GitHub example/gitops refused the token in ${path} while reading branch main (401: Bad credentials): it is ` +
        'wrong, expired or revoked; put a valid one (Contents and Pull requests: read and write on example/gitops ' +
        `(a fine-grained token or a GitHub App installation)) in ${path}.`,
    );
    expect(e.message).not.toContain(OLD);
    expect(api.requests).toHaveLength(1);
  });

  it('the file missing when the host is opened: the UserError the preview shows, no request', () => {
    const path = join(dir, 'absent');
    let e: unknown;
    try {
      hostFor('github', api.baseUrl, path);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(UserError);
    expect(e).toMatchObject({ code: 'gitops_token_missing' });
    expect(e instanceof Error && e.message).toMatch(
      new RegExp(`^The GitOps token file ${path} \\(gitops.tokenFile of environment "prod"\\) does not exist: put`),
    );
    expect(api.requests).toHaveLength(0);
  });

  it('the file gone or emptied while running: the next call says so, names the file, sends nothing', async () => {
    const path = sidecarFile(OLD);
    const git = hostFor('github', api.baseUrl, path);
    writeFileSync(path, '\n');
    const empty = await failure(git.headSha('main'));
    expect(empty).toBeInstanceOf(UserError);
    expect(empty).toMatchObject({ code: 'gitops_token_missing' });
    expect(empty.message).toBe(
      `The GitOps token file ${path} (gitops.tokenFile of environment "prod") is empty: put a GitHub App ` +
        'installation token or a fine-grained token with Contents and Pull requests: read and write on ' +
        'example/gitops in it (e.g. mount the Kubernetes Secret that holds it there).',
    );
    rmSync(path);
    expect((await failure(git.headSha('main'))).message).toMatch(
      new RegExp(`^The GitOps token file ${path} \\(gitops.tokenFile of environment "prod"\\) does not exist: put`),
    );
    expect(api.requests).toHaveLength(0);
  });
});

describe('gitops.tokenFile on GitLab (@gitbeaker/rest against the fake GitLab)', () => {
  let api: FakeGitLabApi;
  let tokens: Record<string, 'write' | 'read'>;
  beforeEach(async () => {
    tokens = { [OLD]: 'write' };
    api = await startFakeGitLabApi({ project: 'group/gitops', files: { 'app.yaml': 'a: 1\n' }, tokens });
  });
  afterEach(() => api.close());

  it('a rotation between two calls, then one racing a call (401, re-read, one retry)', async () => {
    const volume = secretVolume(OLD);
    const git = hostFor('gitlab', api.baseUrl, volume.path);
    const main = await git.headSha('main');
    // When the Secret is updated between two calls
    volume.update(NEW);
    tokens[NEW] = 'write';
    delete tokens[OLD];
    expect(await git.headSha('main')).toBe(main);
    // When it is updated again while a call is on the way
    const NEWER = NEW.replace(/1/g, '2');
    api.onNext(/^POST .*\/repository\/branches$/, () => {
      volume.update(NEWER);
      tokens[NEWER] = 'write';
      delete tokens[NEW];
    });
    await git.createBranch('session-ttl/x-3', main);
    expect(api.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'GET 200', 'POST 401', 'POST 201']);
    expect(api.repo.branches.get('session-ttl/x-3')).toBe(main);
  });
});
