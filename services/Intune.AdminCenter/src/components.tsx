import { useCallback, useEffect, useRef, useState, type ReactElement, type ReactNode } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowSortDown16Regular, ArrowSortUp16Regular } from '@fluentui/react-icons';
import { graph, message, type GraphCollection } from './api';
import { useTitle } from './router';

/** One GET, refetched when the path changes; `null` skips it. */
export function useGraph<T>(path: string | null) {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: path !== null });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    graph<T>(path).then(
      (data) => live && setState({ data, loading: false }),
      (e) => live && setState({ error: message(e), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { ...state, reload };
}

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  toolbar: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' },
  pager: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  sortButton: { fontWeight: tokens.fontWeightSemibold },
});

export function Page({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  useTitle(title);
  const styles = useStyles();
  return (
    <section className={styles.page} aria-labelledby="page-title">
      <div className={styles.toolbar}>
        <Title2 as="h1" id="page-title">
          {title}
        </Title2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Toolbar({ children }: { children: ReactNode }) {
  return <div className={useStyles().toolbar}>{children}</div>;
}

export function ErrorBar({ error, title = 'The request failed' }: { error?: string | null; title?: string }) {
  if (!error) return null;
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {error}
      </MessageBarBody>
    </MessageBar>
  );
}

export function SuccessBar({ text }: { text?: string | null }) {
  if (!text) return null;
  return (
    <MessageBar intent="success" role="status">
      <MessageBarBody>{text}</MessageBarBody>
    </MessageBar>
  );
}

export const Loading = ({ label = 'Loading' }: { label?: string }) => <Spinner size="small" label={label} />;

export interface Column<T> {
  key: string;
  label: string;
  render: (row: T) => ReactNode;
  /** The $orderby property when the API can sort by this column. */
  sort?: string;
}

export type Sort = { property: string; descending: boolean } | null;

/**
 * A table over one collection URL: one request per page, following @odata.nextLink for the next
 * page and remembering the earlier ones for "Previous" (the API pages by keyset, not by offset).
 */
export function PagedTable<T extends { id?: string }>({
  url,
  columns,
  label,
  sort,
  onSort,
  onRow,
  rowLabel,
  selection,
  countLabel,
}: {
  url: string;
  columns: Column<T>[];
  label: string;
  sort?: Sort;
  onSort?: (sort: Sort) => void;
  onRow?: (row: T) => void;
  rowLabel?: (row: T) => string;
  selection?: { selected: Set<string>; toggle: (id: string) => void };
  /** With $count=true in the URL: the total arrives with the first page, at no extra request. */
  countLabel?: string;
}) {
  const styles = useStyles();
  const [pages, setPages] = useState<string[]>([url]);
  const current = pages[pages.length - 1];
  const { data, error, loading } = useGraph<GraphCollection<T>>(current);
  const first = useRef(url);
  useEffect(() => {
    if (first.current !== url) {
      first.current = url;
      setPages([url]);
    }
  }, [url]);

  const header = (column: Column<T>) => {
    if (!column.sort || !onSort) return column.label;
    const active = sort?.property === column.sort;
    const next: Sort = active && !sort!.descending ? { property: column.sort, descending: true } : active ? null : { property: column.sort, descending: false };
    return (
      <Button
        appearance="transparent"
        className={styles.sortButton}
        icon={active ? sort!.descending ? <ArrowSortDown16Regular /> : <ArrowSortUp16Regular /> : undefined}
        iconPosition="after"
        aria-label={`Sort by ${column.label}${active ? (sort!.descending ? ', sorted descending' : ', sorted ascending') : ''}`}
        onClick={() => onSort(next)}
      >
        {column.label}
      </Button>
    );
  };

  return (
    <div>
      <ErrorBar error={error} />
      {countLabel && data?.['@odata.count'] !== undefined && (
        <p role="status" data-testid="total-count">
          {data['@odata.count']} {countLabel}
        </p>
      )}
      <Table aria-label={label} size="small">
        <TableHeader>
          <TableRow>
            {selection && <TableHeaderCell aria-label="Selected" style={{ width: 40 }} />}
            {columns.map((c) => (
              <TableHeaderCell
                key={c.key}
                aria-sort={sort?.property === c.sort && c.sort ? (sort!.descending ? 'descending' : 'ascending') : undefined}
              >
                {header(c)}
              </TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {(data?.value ?? []).map((row, index) => (
            <TableRow key={row.id ?? index}>
              {selection && (
                <TableCell>
                  <input
                    type="checkbox"
                    aria-label={`Select ${rowLabel?.(row) ?? row.id}`}
                    checked={selection.selected.has(row.id!)}
                    onChange={() => selection.toggle(row.id!)}
                  />
                </TableCell>
              )}
              {columns.map((c, i) => (
                <TableCell key={c.key}>
                  {i === 0 && onRow ? (
                    <Button appearance="transparent" onClick={() => onRow(row)} aria-label={`Open ${rowLabel?.(row) ?? row.id}`}>
                      {c.render(row)}
                    </Button>
                  ) : (
                    c.render(row)
                  )}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <div className={styles.pager}>
        {loading && <Loading />}
        {!loading && data && data.value.length === 0 && <span role="status">No items.</span>}
        <Button disabled={pages.length < 2 || loading} onClick={() => setPages((p) => p.slice(0, -1))}>
          Previous page
        </Button>
        <Button disabled={!data?.['@odata.nextLink'] || loading} onClick={() => setPages((p) => [...p, data!['@odata.nextLink']!])}>
          Next page
        </Button>
        <span aria-live="polite">Page {pages.length}</span>
      </div>
    </div>
  );
}

/** A mutating action behind a confirmation; the API's error message is shown in the dialog. */
export function ConfirmAction({
  label,
  title,
  children,
  confirmLabel = label,
  onConfirm,
  appearance = 'secondary',
  icon,
}: {
  label: string;
  title: string;
  children?: ReactNode;
  confirmLabel?: string;
  onConfirm: () => Promise<void>;
  appearance?: 'primary' | 'secondary';
  icon?: ReactElement;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    setError(null);
    // The dialog exists only while open (a closed Fluent dialog leaves focus guards axe flags), so focus is handed back here.
    requestAnimationFrame(() => trigger.current?.focus());
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      close();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button ref={trigger} appearance={appearance} icon={icon} onClick={() => setOpen(true)}>
        {label}
      </Button>
      {open && (
        <Dialog open onOpenChange={(_, d) => !d.open && close()}>
          <DialogSurface aria-describedby={undefined}>
            <DialogBody>
              <DialogTitle>{title}</DialogTitle>
              <DialogContent>
                {children}
                <ErrorBar error={error} />
              </DialogContent>
              <DialogActions>
                <Button appearance="secondary" onClick={close} disabled={busy}>
                  Cancel
                </Button>
                <Button appearance="primary" onClick={confirm} disabled={busy}>
                  {busy ? 'Working…' : confirmLabel}
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </>
  );
}

export const formatDate = (value?: string | null) =>
  !value || value.startsWith('0001-01-01') ? '—' : new Date(value).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';

export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 24, rowGap: 6, margin: 0 }}>
      {items.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt style={{ fontWeight: 600 }}>{k}</dt>
          <dd style={{ margin: 0 }}>{v ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}
