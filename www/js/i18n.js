// English / Korean texts, the language switch and locale-aware formatting.
// Static text carries data-i18n="key" (text) or data-i18n-attr="attr:key;attr:key" (attributes);
// pages re-render their dynamic parts on the "langchange" event.

const STORAGE_KEY = 'skmuseum.lang';

const TEXTS = {
  en: {
    'site.name': 'SK Museum',
    'nav.label': 'Main',
    'nav.home': 'Exhibitions',
    'nav.book': 'Book',
    'nav.my': 'My bookings',
    'nav.admin': 'Staff',
    'nav.skip': 'Skip to content',
    'lang.switch': '한국어',
    'lang.switchLang': 'ko',

    'home.title': 'Exhibitions – SK Museum',
    'home.tagline': 'Pick an exhibition and book your seat.',
    'home.heading': 'Exhibitions',
    'home.note': 'Soonest first. Seat counts update automatically.',
    'home.empty': 'No exhibitions from {date} on.',
    'home.from': 'Exhibitions from',
    'home.show': 'Show',
    'home.more': 'Show more exhibitions',
    'home.moreHint': 'To see more, pick a later date.',
    'home.seats': '{left} of {capacity} seats left',
    'home.soldOut': 'Sold out',
    'home.book': 'Book',
    'home.bookLabel': 'Book {name}, {date}',

    'book.title': 'Book a seat – SK Museum',
    'book.heading': 'Book a seat',
    'book.exhibition': 'Exhibition',
    'book.choose': 'Choose an exhibition…',
    'book.option': '{name} – {date} ({left} of {capacity} left)',
    'book.optionSoldOut': '{name} – {date} (sold out)',
    'book.name': 'Your name',
    'book.submit': 'Book',
    'book.sending': 'Booking…',
    'book.result': 'Your booking',
    'book.number': 'Booking number',
    'book.visitor': 'Visitor',
    'book.status': 'Status',
    'book.history': 'Status history',
    'book.toMy': 'See all my bookings',
    'book.done': 'Booked! Your booking is being completed.',
    'book.completed': 'Your booking is complete.',
    'book.soldOut': 'Sorry, this exhibition is sold out.',
    'book.removed': 'Sorry, this exhibition has been removed.',
    'book.needExhibition': 'Please choose an exhibition.',
    'book.unknown': 'We are not sure your booking went through: the server did not answer. Press Book again: if it did go through, you get that booking, not a second one.',

    'my.title': 'My bookings – SK Museum',
    'my.heading': 'My bookings',
    'my.name': 'Visitor name',
    'my.submit': 'Show my bookings',
    'my.caption': 'Bookings of {name}',
    'my.empty': 'No bookings found for {name}.',
    'my.note': 'This list updates automatically while steps complete.',
    'my.cancel': 'Cancel',
    'my.cancelLabel': 'Cancel booking {id}',
    'my.cancelTitle': 'Cancel this booking?',
    'my.cancelText': 'Booking {id} for {name} on {date} will be canceled and your seat released.',
    'my.cancelConfirm': 'Yes, cancel booking',
    'my.canceled': 'Booking {id} was canceled.',
    'my.noToken': 'No booking of {name} was made in this browser. Your bookings are shown on the device you booked with.',

    'col.booking': 'Booking',
    'col.exhibition': 'Exhibition',
    'col.date': 'Date',
    'col.status': 'Booking status',
    'col.confirm': 'Entry confirmation',
    'col.actions': 'Actions',
    'col.visitor': 'Visitor',
    'col.capacity': 'Capacity',
    'col.booked': 'Booked',
    'col.canceled': 'Canceled',
    'col.left': 'Seats left',
    'col.confirmation': 'Confirmation',

    'admin.title': 'Staff – SK Museum',
    'admin.heading': 'Museum staff',
    'admin.register': 'Register an exhibition',
    'admin.name': 'Hall name',
    'admin.date': 'Date',
    'admin.capacity': 'Capacity (seats)',
    'admin.submit': 'Register',
    'admin.registered': 'Registered “{name}” on {date}.',
    'admin.occupancy': 'Occupancy',
    'admin.refresh': 'Refresh',
    'admin.empty': 'No exhibitions from {date} on.',
    'admin.from': 'Exhibitions from',
    'admin.show': 'Show',
    'admin.pages': 'Pages of exhibitions',
    'admin.previous': 'Previous page',
    'admin.next': 'Next page',
    'admin.page': 'Page {page}',
    'admin.moreBookings': 'Show more bookings',
    'admin.moreConfirms': 'Show more entry confirmations',
    'admin.cap': 'Showing the first 1,000.',
    'admin.details': 'Bookings',
    'admin.detailsLabel': 'Show bookings of {name}',
    'admin.delete': 'Delete',
    'admin.deleteLabel': 'Delete {name}',
    'admin.deleteTitle': 'Delete this exhibition?',
    'admin.deleteText': '“{name}” on {date} will be removed. Its {count} live bookings will be force-canceled. This cannot be undone.',
    'admin.deleteConfirm': 'Delete exhibition',
    'admin.deleted': 'Deleted “{name}”. Its bookings are being force-canceled.',
    'admin.detailsHeading': 'Bookings of {name} ({date})',
    'admin.removedNote': 'This exhibition has been deleted.',
    'admin.close': 'Close',
    'admin.bookings': 'Bookings',
    'admin.confirms': 'Entry confirmations',
    'admin.noBookings': 'No bookings.',
    'admin.noConfirms': 'No entry confirmations.',
    'admin.fixErrors': 'Please correct the marked fields.',
    'admin.login': 'Staff sign-in',
    'admin.password': 'Staff password',
    'admin.signIn': 'Sign in',
    'admin.signOut': 'Sign out',
    'admin.signingIn': 'Signing in…',
    'admin.wrongPassword': 'That password is not right.',
    'admin.signInAgain': 'Please sign in again.',

    'valid.required': 'This field is required.',
    'valid.tooLong': 'Use at most {max} characters.',
    'valid.date': 'Enter a valid date.',
    'valid.capacity': 'Enter a whole number from 1 to {max}.',

    'status.REQUESTED': 'Requested',
    'status.REQUEST_COMPLETED': 'Completed',
    'status.CANCELED': 'Canceled',
    'status.FORCE_CANCELED': 'Force-canceled',
    'status.none': 'Pending',

    'dialog.keep': 'No, go back',
    'loading': 'Loading…',
    'error.network': 'Could not reach the server. Please check your connection and try again.',
    'error.http': 'The request failed (HTTP {status}).',
    'error.details': 'Details: {detail}',
    'error.refresh': 'Could not refresh: {message}',
  },
  ko: {
    'site.name': 'SK 미술관',
    'nav.label': '주 메뉴',
    'nav.home': '전시',
    'nav.book': '예약하기',
    'nav.my': '내 예약',
    'nav.admin': '관리자',
    'nav.skip': '본문으로 건너뛰기',
    'lang.switch': 'English',
    'lang.switchLang': 'en',

    'home.title': '전시 – SK 미술관',
    'home.tagline': '전시를 고르고 좌석을 예약하세요.',
    'home.heading': '전시',
    'home.note': '가까운 날짜순입니다. 잔여 좌석 수는 자동으로 갱신됩니다.',
    'home.empty': '{date} 이후의 전시가 없습니다.',
    'home.from': '이 날짜부터의 전시',
    'home.show': '보기',
    'home.more': '전시 더 보기',
    'home.moreHint': '더 보려면 더 늦은 날짜를 고르세요.',
    'home.seats': '잔여 좌석 {left} / {capacity}',
    'home.soldOut': '매진',
    'home.book': '예약',
    'home.bookLabel': '{name}, {date} 예약',

    'book.title': '좌석 예약 – SK 미술관',
    'book.heading': '좌석 예약',
    'book.exhibition': '전시',
    'book.choose': '전시를 선택하세요…',
    'book.option': '{name} – {date} (잔여 {left} / {capacity})',
    'book.optionSoldOut': '{name} – {date} (매진)',
    'book.name': '이름',
    'book.submit': '예약',
    'book.sending': '예약 중…',
    'book.result': '예약 내역',
    'book.number': '예약 번호',
    'book.visitor': '예약자',
    'book.status': '상태',
    'book.history': '상태 기록',
    'book.toMy': '내 예약 전체 보기',
    'book.done': '예약되었습니다! 예약 완료 처리 중입니다.',
    'book.completed': '예약이 완료되었습니다.',
    'book.soldOut': '죄송합니다. 이 전시는 매진되었습니다.',
    'book.removed': '죄송합니다. 이 전시는 삭제되었습니다.',
    'book.needExhibition': '전시를 선택하세요.',
    'book.unknown': '서버가 응답하지 않아 예약이 되었는지 확인하지 못했습니다. 예약 버튼을 다시 누르세요. 이미 예약되었다면 두 번 예약되지 않고 그 예약이 표시됩니다.',

    'my.title': '내 예약 – SK 미술관',
    'my.heading': '내 예약',
    'my.name': '예약자 이름',
    'my.submit': '내 예약 보기',
    'my.caption': '{name} 님의 예약',
    'my.empty': '{name} 님의 예약이 없습니다.',
    'my.note': '처리 단계가 끝나면 목록이 자동으로 갱신됩니다.',
    'my.cancel': '취소',
    'my.cancelLabel': '예약 {id} 취소',
    'my.cancelTitle': '이 예약을 취소할까요?',
    'my.cancelText': '{date} {name} 예약 {id}이(가) 취소되고 좌석이 반환됩니다.',
    'my.cancelConfirm': '예, 예약을 취소합니다',
    'my.canceled': '예약 {id}이(가) 취소되었습니다.',
    'my.noToken': '이 브라우저에서 {name} 님이 예약한 내역이 없습니다. 예약은 예약한 기기에서 볼 수 있습니다.',

    'col.booking': '예약',
    'col.exhibition': '전시',
    'col.date': '날짜',
    'col.status': '예약 상태',
    'col.confirm': '입장 확인',
    'col.actions': '작업',
    'col.visitor': '예약자',
    'col.capacity': '정원',
    'col.booked': '예약',
    'col.canceled': '취소',
    'col.left': '잔여 좌석',
    'col.confirmation': '입장 확인',

    'admin.title': '관리자 – SK 미술관',
    'admin.heading': '미술관 관리자',
    'admin.register': '전시 등록',
    'admin.name': '전시홀 이름',
    'admin.date': '날짜',
    'admin.capacity': '정원 (좌석)',
    'admin.submit': '등록',
    'admin.registered': '{date} “{name}” 전시를 등록했습니다.',
    'admin.occupancy': '좌석 현황',
    'admin.refresh': '새로 고침',
    'admin.empty': '{date} 이후의 전시가 없습니다.',
    'admin.from': '이 날짜부터의 전시',
    'admin.show': '보기',
    'admin.pages': '전시 목록 페이지',
    'admin.previous': '이전 페이지',
    'admin.next': '다음 페이지',
    'admin.page': '{page}쪽',
    'admin.moreBookings': '예약 더 보기',
    'admin.moreConfirms': '입장 확인 더 보기',
    'admin.cap': '처음 1,000건만 표시합니다.',
    'admin.details': '예약 목록',
    'admin.detailsLabel': '{name} 예약 목록 보기',
    'admin.delete': '삭제',
    'admin.deleteLabel': '{name} 삭제',
    'admin.deleteTitle': '이 전시를 삭제할까요?',
    'admin.deleteText': '{date} “{name}” 전시가 삭제됩니다. 유효한 예약 {count}건은 강제 취소됩니다. 되돌릴 수 없습니다.',
    'admin.deleteConfirm': '전시 삭제',
    'admin.deleted': '“{name}” 전시를 삭제했습니다. 예약을 강제 취소하는 중입니다.',
    'admin.detailsHeading': '{name} ({date}) 예약 목록',
    'admin.removedNote': '삭제된 전시입니다.',
    'admin.close': '닫기',
    'admin.bookings': '예약',
    'admin.confirms': '입장 확인',
    'admin.noBookings': '예약이 없습니다.',
    'admin.noConfirms': '입장 확인 내역이 없습니다.',
    'admin.login': '관리자 로그인',
    'admin.password': '관리자 비밀번호',
    'admin.signIn': '로그인',
    'admin.signOut': '로그아웃',
    'admin.signingIn': '로그인 중…',
    'admin.wrongPassword': '비밀번호가 맞지 않습니다.',
    'admin.signInAgain': '다시 로그인해 주세요.',
    'admin.fixErrors': '표시된 항목을 고쳐 주세요.',

    'valid.required': '필수 항목입니다.',
    'valid.tooLong': '{max}자 이하로 입력하세요.',
    'valid.date': '올바른 날짜를 입력하세요.',
    'valid.capacity': '1부터 {max}까지의 정수를 입력하세요.',

    'status.REQUESTED': '요청됨',
    'status.REQUEST_COMPLETED': '예약 완료',
    'status.CANCELED': '취소됨',
    'status.FORCE_CANCELED': '강제 취소됨',
    'status.none': '대기 중',

    'dialog.keep': '아니요, 돌아가기',
    'loading': '불러오는 중…',
    'error.network': '서버에 연결할 수 없습니다. 연결을 확인한 뒤 다시 시도하세요.',
    'error.http': '요청이 실패했습니다 (HTTP {status}).',
    'error.details': '상세: {detail}',
    'error.refresh': '새로 고치지 못했습니다: {message}',
  },
};

const LOCALES = { en: 'en-GB', ko: 'ko-KR' };

function initialLang() {
  let saved = null;
  try { saved = localStorage.getItem(STORAGE_KEY); } catch { /* storage disabled */ }
  if (saved in TEXTS) return saved;
  return (navigator.language || '').toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

let lang = initialLang();

export const getLang = () => lang;

/** Text for key in the current language, with {name} placeholders filled from params. */
export function t(key, params = {}) {
  const text = TEXTS[lang][key] ?? TEXTS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** "2021-07-26" → "26 Jul 2021" / "2021. 7. 26."; anything unparsable is shown as given. */
export function formatDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
  if (!m) return iso || '';
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

export const formatNumber = (n) => new Intl.NumberFormat(LOCALES[lang]).format(n);

/** Human words for a booking / confirmation status (unknown codes are shown as they are). */
export function statusText(status) {
  if (status === null || status === undefined || status === '') return t('status.none');
  const key = `status.${status}`;
  return key in TEXTS.en ? t(key) : String(status);
}

function applyTranslations(root = document) {
  document.documentElement.lang = lang;
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of node.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  }
}

export function setLang(next) {
  if (!(next in TEXTS) || next === lang) return;
  lang = next;
  try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* storage disabled */ }
  applyTranslations();
  document.dispatchEvent(new CustomEvent('langchange', { detail: { lang } }));
}

/** Translate the page and wire the header's language switch button (#lang-switch). */
export function initI18n() {
  applyTranslations();
  const button = document.getElementById('lang-switch');
  if (button) button.addEventListener('click', () => setLang(lang === 'en' ? 'ko' : 'en'));
}
