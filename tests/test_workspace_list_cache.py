"""Listing workspaces on every rerun opens no database whose file did not change (issue
25): the sidebar's list costs a few file stats, not one SQLite connection per workspace."""

from __future__ import annotations

from churn.workspace import WorkspaceStore


def test_a_repeated_list_opens_only_changed_workspaces(tmp_path, monkeypatch):
    store = WorkspaceStore(tmp_path / "ws")
    ids = [store.create(f"w{i}", file_name=f"f{i}.csv", data=b"a,b\n1,2\n") for i in range(3)]
    opened: list[str] = []
    real = WorkspaceStore._connect

    def counting(self, path, **kwargs):
        opened.append(path.name)
        return real(self, path, **kwargs)

    monkeypatch.setattr(WorkspaceStore, "_connect", counting)
    first = store.list()
    assert sorted(i.id for i in first) == sorted(ids)
    before = len(opened)  # at most one per workspace, once
    assert before <= 3
    for _ in range(5):  # five reruns of the sidebar
        assert [i.id for i in store.list()] == [i.id for i in first]
    assert len(opened) == before

    store.rename(ids[1], "renamed")  # a save: that workspace alone is read again
    del opened[:]
    names = {i.id: i.name for i in WorkspaceStore(tmp_path / "ws").list()}
    assert names[ids[1]] == "renamed" and names[ids[0]] == "w0"
    assert opened == [store.path_of(ids[1]).name]

    store.delete(ids[2])
    del opened[:]
    assert sorted(i.id for i in store.list()) == sorted(ids[:2])
    assert opened == []
