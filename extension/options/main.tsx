import { render } from 'solid-js/web';
import { Options } from './Options.tsx';
import './options.css';

const root = document.getElementById('root');
if (root) render(() => <Options />, root);
