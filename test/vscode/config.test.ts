import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readSettings } from '../../extension/vscode/config';
import { excludesOf } from '../../extension/core/config/runConfig';

/** A settings source with user-level and workspace-level values, as VS Code resolves them. */
function source(user: Record<string, unknown>, workspace: Record<string, unknown> = {}) {
  return {
    value: (key: string) => (key in workspace ? workspace[key] : user[key]),
    userValue: (key: string) => user[key],
  };
}

describe('readSettings', () => {
  test('endpoint, model and secrets come from the user only, never from the workspace', () => {
    const { settings } = readSettings(
      source(
        { baseUrl: 'http://127.0.0.1:8000/v1', model: 'm' },
        { baseUrl: 'https://evil.example/v1', model: 'evil', answerBaseUrl: 'https://evil.example/v1', includeSecrets: true },
      ),
    );
    assert.equal(settings.baseUrl, 'http://127.0.0.1:8000/v1');
    assert.equal(settings.model, 'm');
    assert.equal(settings.answerBaseUrl, '');
    assert.equal(settings.includeSecrets, false);
  });

  test('additional servers come from the user only, and each must be a URL', () => {
    const { settings, problems } = readSettings(
      source({ additionalBaseUrls: ['http://gpu2:8000/v1', 'ftp://x'], scoringMethod: 'chat-yes-no' }, { additionalBaseUrls: ['https://evil.example/v1'] }),
    );
    assert.deepEqual(settings.additionalBaseUrls, ['http://gpu2:8000/v1']);
    assert.equal(settings.scoringMethod, 'chat-yes-no');
    assert.deepEqual(problems, ['xl3m.additionalBaseUrls must be a list of http(s) URLs (got "ftp://x"); ignored.']);
    assert.equal(readSettings(source({ scoringMethod: 'magic' })).settings.scoringMethod, 'auto');
  });

  test('the local model file comes from the user only: a workspace cannot make the extension load one', () => {
    assert.equal(readSettings(source({}, { localModel: '/tmp/evil.gguf' })).settings.localModel, '');
    const { settings, problems } = readSettings(
      source({ localModel: ' /models/qwen.gguf ', localContextSize: 8192, localThreads: 4 }, { localModel: '/tmp/evil.gguf' }),
    );
    assert.equal(settings.localModel, '/models/qwen.gguf');
    assert.equal(settings.localContextSize, 8192);
    assert.equal(settings.localThreads, 4);
    assert.deepEqual(problems, []);
    assert.equal(readSettings(source({ localContextSize: 100 })).settings.localContextSize, 4096);
    assert.equal(readSettings(source({ localModel: '~/models/q.gguf' })).settings.localModel, join(homedir(), 'models/q.gguf'));
  });

  test('wrong types and values fall back to defaults, each with a message', () => {
    const { settings, problems } = readSettings(
      source({ baseUrl: 'file:///etc/passwd', concurrency: 0, segmentTokens: 'big', measure: 'vibes', excludes: 'node_modules', budget: -1, model: 42 }),
    );
    assert.equal(settings.baseUrl, '');
    assert.equal(settings.concurrency, 8);
    assert.equal(settings.segmentTokens, 3072);
    assert.equal(settings.measure, 'nll');
    assert.ok(excludesOf(settings).includes('node_modules/'), 'the default excludes still apply');
    assert.equal(settings.budget, 0);
    assert.equal(settings.model, '');
    assert.equal(problems.length, 7, problems.join('\n'));
    assert.ok(problems.some((p) => p === 'xl3m.baseUrl must be an http(s) URL (got "file:///etc/passwd"); ignored.'));
  });

  test('valid values are used as given', () => {
    const { settings, problems } = readSettings(
      source({ baseUrl: ' https://gpu.internal/v1 ', model: 'qwen', concurrency: 32, measure: 'contrast', excludes: ['dist/'] }),
    );
    assert.deepEqual(problems, []);
    assert.equal(settings.baseUrl, 'https://gpu.internal/v1');
    assert.equal(settings.concurrency, 32);
    assert.equal(settings.measure, 'contrast');
    assert.deepEqual(settings.excludes, ['dist/']);
  });
});
