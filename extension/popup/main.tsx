import { render } from 'solid-js/web';
import { Popup } from './Popup.tsx';
import './popup.css';

const root = document.getElementById('root');
if (root) render(() => <Popup />, root);
