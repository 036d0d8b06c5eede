// Firefox: runs on the relay's /r/ pages and hands the share link (with its
// #key, which only this page can see) to the background, which opens the call page.
import browser from 'webextension-polyfill';

void browser.runtime.sendMessage({ openShareLink: location.href }).catch(() => {
  // The background did not answer: the page itself explains how to join.
});
