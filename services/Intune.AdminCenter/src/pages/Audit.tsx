import { useEffect, useState } from 'react';
import { Dropdown, Field, Input, Option } from '@fluentui/react-components';
import { graph, literal, query, type GraphCollection } from '../api';
import { Page, PagedTable, Toolbar, formatDate, useGraph } from '../components';

interface AuditEvent {
  id: string;
  displayName: string;
  activityDateTime: string;
  category: string;
  activity: string;
  activityType: string;
  activityResult: string;
  actor?: { userPrincipalName?: string; applicationDisplayName?: string };
  resources?: { displayName?: string; type?: string }[];
}

export function AuditPage() {
  const categories = useGraph<GraphCollection<string>>('/deviceManagement/auditEvents/getAuditCategories()');
  const [category, setCategory] = useState('all');
  const [activityTypes, setActivityTypes] = useState<string[]>([]);
  const [activityType, setActivityType] = useState('all');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');

  useEffect(() => {
    setActivityType('all');
    if (category === 'all') {
      setActivityTypes([]);
      return;
    }
    graph<GraphCollection<string>>(`/deviceManagement/auditEvents/getAuditActivityTypes(category=${encodeURIComponent(literal(category))})`).then(
      (r) => setActivityTypes(r.value),
      () => setActivityTypes([]),
    );
  }, [category]);

  const clauses = [
    category !== 'all' ? `category eq ${literal(category)}` : '',
    activityType !== 'all' ? `activityType eq ${literal(activityType)}` : '',
    from ? `activityDateTime ge ${from}T00:00:00Z` : '',
    to ? `activityDateTime lt ${nextDay(to)}T00:00:00Z` : '',
  ].filter(Boolean);
  const url = query('/deviceManagement/auditEvents', { $filter: clauses.join(' and '), $top: 25 });

  return (
    <Page title="Audit log">
      <Toolbar>
        <Field label="Category">
          <Dropdown value={category === 'all' ? 'All' : category} selectedOptions={[category]} onOptionSelect={(_, d) => setCategory(d.optionValue!)}>
            <Option value="all">All</Option>
            {(categories.data?.value ?? []).map((c) => (
              <Option key={c} value={c}>
                {c}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Activity type">
          <Dropdown
            disabled={category === 'all'}
            value={activityType === 'all' ? 'All' : activityType}
            selectedOptions={[activityType]}
            onOptionSelect={(_, d) => setActivityType(d.optionValue!)}
          >
            <Option value="all">All</Option>
            {activityTypes.map((t) => (
              <Option key={t} value={t}>
                {t}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="From (UTC date)">
          <Input type="date" value={from} onChange={(_, d) => setFrom(d.value)} />
        </Field>
        <Field label="To (UTC date, inclusive)">
          <Input type="date" value={to} onChange={(_, d) => setTo(d.value)} />
        </Field>
      </Toolbar>
      <PagedTable<AuditEvent>
        url={url}
        label="Audit events"
        columns={[
          { key: 'when', label: 'Date', render: (e) => formatDate(e.activityDateTime) },
          { key: 'activity', label: 'Activity', render: (e) => e.displayName },
          { key: 'category', label: 'Category', render: (e) => e.category },
          { key: 'type', label: 'Activity type', render: (e) => e.activityType },
          { key: 'result', label: 'Result', render: (e) => e.activityResult },
          { key: 'actor', label: 'Initiated by', render: (e) => e.actor?.userPrincipalName ?? e.actor?.applicationDisplayName ?? '—' },
          { key: 'target', label: 'Target', render: (e) => e.resources?.map((r) => r.displayName ?? r.type).join(', ') || '—' },
        ]}
      />
    </Page>
  );
}

function nextDay(date: string) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
