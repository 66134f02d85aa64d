import { useEffect, useState } from 'react';
import { Button, Card, Field, Input, Radio, RadioGroup, Switch } from '@fluentui/react-components';
import { message, patch } from '../api';
import { ErrorBar, Loading, Page, SuccessBar, useGraph } from '../components';
import { Permissions, useCan } from '../session';

interface DeviceManagement {
  settings: { deviceComplianceCheckinThresholdDays: number; isScheduledActionEnabled: boolean; secureByDefault: boolean };
}

export function TenantSettingsPage() {
  const can = useCan();
  const writable = can(Permissions.organizationUpdate);
  const current = useGraph<DeviceManagement>('/deviceManagement');
  const [days, setDays] = useState('30');
  const [secureByDefault, setSecureByDefault] = useState(false);
  const [scheduled, setScheduled] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    const s = current.data?.settings;
    if (!s) return;
    setDays(String(s.deviceComplianceCheckinThresholdDays));
    setSecureByDefault(s.secureByDefault);
    setScheduled(s.isScheduledActionEnabled);
  }, [current.data]);

  const save = async () => {
    setError(null);
    setSaved(null);
    try {
      await patch('/deviceManagement', {
        settings: { deviceComplianceCheckinThresholdDays: Number(days), secureByDefault, isScheduledActionEnabled: scheduled },
      });
      setSaved('Compliance settings saved.');
      current.reload();
    } catch (e) {
      setError(message(e));
    }
  };

  return (
    <Page title="Tenant compliance settings">
      <ErrorBar error={current.error ?? error} />
      {current.loading && !current.data && <Loading />}
      {current.data && (
        <Card>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save();
            }}
            style={{ display: 'flex', flexDirection: 'column', gap: 12, maxWidth: 560 }}
          >
            <Field label="Mark devices with no compliance policy assigned as">
              <RadioGroup value={secureByDefault ? 'noncompliant' : 'compliant'} onChange={(_, d) => setSecureByDefault(d.value === 'noncompliant')} disabled={!writable}>
                <Radio value="compliant" label="Compliant" />
                <Radio value="noncompliant" label="Not compliant" />
              </RadioGroup>
            </Field>
            <Field label="Compliance status validity period (days, 1–120)">
              <Input type="number" min={1} max={120} value={days} onChange={(_, d) => setDays(d.value)} disabled={!writable} />
            </Field>
            <Switch label="Scheduled actions for noncompliance enabled" checked={scheduled} onChange={(_, d) => setScheduled(d.checked)} disabled={!writable} />
            {writable && (
              <Button appearance="primary" type="submit">
                Save
              </Button>
            )}
            <SuccessBar text={saved} />
          </form>
        </Card>
      )}
    </Page>
  );
}
