import { Link } from 'react-router';
import { useT } from '../i18n';

export default function NotFound() {
  const t = useT();
  return (
    <div>
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <Link to="/">{t('notFound.home')}</Link>
    </div>
  );
}
