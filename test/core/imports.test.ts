import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PathIndex } from '../../extension/core/structure/imports';

describe('the file graph: what a file imports', () => {
  const paths = [
    'src/app.ts',
    'src/util/strings.ts',
    'src/util/index.ts',
    'src/legacy.js',
    'pkg/core/basic.py',
    'pkg/core/__init__.py',
    'pkg/core/numbers.py',
    'pkg/printing/latex.py',
    'api/queries.go',
    'api/export.go',
    'api/export_test.go',
    'pkg/cmd/pr/pr.go',
  ];
  const index = new PathIndex(paths);
  const names = (from: string, text: string) =>
    index
      .importsOf(from, text)
      .map((i) => paths[i]!)
      .sort();

  test('JavaScript and TypeScript: relative specifiers, with or without an extension, folders by their index', () => {
    const text = [
      "import { pad } from './util/strings';",
      "import * as util from './util';",
      "export { old } from './legacy.js';",
      "const x = require('./util/strings.js');",
      "import React from 'react';",
      "const lazy = () => import('./missing');",
    ].join('\n');
    assert.deepEqual(names('src/app.ts', text), ['src/legacy.js', 'src/util/index.ts', 'src/util/strings.ts']);
  });

  test('Python: absolute and relative modules, and modules imported from a package', () => {
    const text = ['from pkg.core.basic import Basic', 'from . import numbers', 'from ..printing import latex as l', 'import os, pkg.core'].join('\n');
    assert.deepEqual(names('pkg/core/numbers.py', text), ['pkg/core/__init__.py', 'pkg/core/basic.py', 'pkg/printing/latex.py']);
  });

  test("Go: a package's files, by the longest suffix of its path that is a folder here, tests left out", () => {
    const text = ['package pr', '', 'import (', '\t"fmt"', '\t"github.com/cli/cli/v2/api"', ')'].join('\n');
    assert.deepEqual(names('pkg/cmd/pr/pr.go', text), ['api/export.go', 'api/queries.go']);
    assert.deepEqual(names('api/queries.go', 'package api\nimport "github.com/cli/cli/v2/api"\n'), ['api/export.go'], 'not itself');
  });
});
