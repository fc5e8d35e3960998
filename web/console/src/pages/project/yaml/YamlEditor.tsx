// The YAML editor of the apply page: CodeMirror 6 with YAML highlighting, line numbers, undo, and the
// problems found (before sending, or by the server) marked on their lines. Loaded with its page only (ADR 005:
// a code editor is the one widget taken from a package, never in the initial bundle). Tab moves the focus on
// (as everywhere else); indentation follows Enter, and Ctrl-] / Ctrl-[ indent and dedent.
import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';

export interface EditorProblem {
  line: number; // 1-based
  message: string;
  severity?: 'error' | 'warning';
}

export interface YamlEditorHandle {
  focusLine: (line: number) => void;
}

export interface YamlEditorProps {
  value: string;
  onChange: (value: string) => void;
  problems: EditorProblem[];
  label: string;
  describedBy?: string;
  invalid?: boolean;
}

const theme = EditorView.theme({
  '&': { border: '1px solid var(--border)', borderRadius: '6px', background: 'var(--surface)', color: 'var(--text)' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '2px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', fontSize: '13px', minHeight: '360px', maxHeight: '62vh' },
  '.cm-gutters': { background: 'var(--surface-2)', color: 'var(--text-muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { background: 'var(--accent-soft)' },
  '.cm-activeLineGutter': { background: 'var(--accent-soft)' },
  '.cm-content': { caretColor: 'var(--text)' },
});

export const YamlEditor = forwardRef<YamlEditorHandle, YamlEditorProps>(function YamlEditor(
  { value, onChange, problems, label, describedBy, invalid },
  ref,
) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          yaml(),
          syntaxHighlighting(classHighlighter),
          lintGutter(),
          keymap.of([
            { key: 'Mod-]', run: indentMore },
            { key: 'Mod-[', run: indentLess },
            ...defaultKeymap,
            ...historyKeymap,
          ]),
          EditorState.tabSize.of(2),
          theme,
          EditorView.updateListener.of((u) => {
            if (u.docChanged) changed.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // the editor is created once; later values arrive through the effect below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value replaced from outside (a template, an object loaded to edit).
  useEffect(() => {
    const v = view.current;
    if (!v || v.state.doc.toString() === value) return;
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  // Accessible name and state of the editable area.
  useEffect(() => {
    const content = view.current?.contentDOM;
    if (!content) return;
    content.setAttribute('aria-label', label);
    content.setAttribute('aria-multiline', 'true');
    if (describedBy) content.setAttribute('aria-describedby', describedBy);
    else content.removeAttribute('aria-describedby');
    if (invalid) content.setAttribute('aria-invalid', 'true');
    else content.removeAttribute('aria-invalid');
  }, [label, describedBy, invalid]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const doc = v.state.doc;
    const diagnostics: Diagnostic[] = problems
      .filter((p) => p.line >= 1)
      .map((p) => {
        const line = doc.line(Math.min(p.line, doc.lines));
        return { from: line.from, to: line.to, severity: p.severity ?? 'error', message: p.message };
      });
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [problems]);

  useImperativeHandle(ref, () => ({
    focusLine(n: number) {
      const v = view.current;
      if (!v) return;
      const line = v.state.doc.line(Math.max(1, Math.min(n, v.state.doc.lines)));
      v.dispatch({ selection: { anchor: line.from, head: line.to }, scrollIntoView: true });
      v.focus();
    },
  }));

  return <div ref={host} className="yaml-editor" />;
});
