import type * as vscode from 'vscode';

const KEY = 'xl3m.pinned';

/** Files the user wants in every key context, per workspace, by their displayed path. */
export class Pins {
  constructor(private readonly state: vscode.Memento) {}

  list(): string[] {
    const v = this.state.get<unknown>(KEY);
    return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string') : [];
  }

  async toggle(path: string): Promise<boolean> {
    const current = this.list();
    const pinned = !current.includes(path);
    await this.state.update(KEY, pinned ? [...current, path] : current.filter((p) => p !== path));
    return pinned;
  }
}
