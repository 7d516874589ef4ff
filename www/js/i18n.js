// English / Korean texts, the language switch and locale-aware formatting.
// Static text carries data-i18n="key" (text) or data-i18n-attr="attr:key;attr:key" (attributes);
// pages re-render their dynamic parts on the "langchange" event.

const STORAGE_KEY = 'skmuseum.lang';

const TEXTS = {
  en: {
    'site.name': 'SK Museum',
    'site.tagline': 'Free admission with a timed reservation. Pick an exhibition, a day and a time.',
    'nav.label': 'Main',
    'nav.home': 'Exhibitions',
    'nav.visit': 'Visit',
    'nav.my': 'My bookings',
    'nav.skip': 'Skip to content',
    'lang.switch': '한국어',
    'lang.switchLang': 'ko',

    'footer.visit': 'Visit',
    'footer.hours': 'Opening hours',
    'footer.contact': 'Contact',
    'footer.policy': 'Admission and cancellation',
    'footer.policyText': 'Admission is free with a reservation. You can cancel any time until your time slot ends.',
    'footer.staff': 'Staff sign-in',
    'footer.phone': 'Phone',
    'footer.email': 'Email',
    'hours.daily': 'Daily {opens}–{closes}',
    'hours.closed': 'Closed on {days}',
    'hours.open7': 'Open every day',
    'visit.heading': 'Plan your visit',
    'visit.address': 'Address',
    'visit.hours': 'Hours',
    'visit.accessibility': 'Accessibility',
    'visit.admission': 'Admission',
    'visit.admissionText': 'Free, with a reservation for a time slot.',

    'home.title': 'Exhibitions',
    'home.heading': 'Exhibitions',
    'home.note': 'Closing soonest first. Availability updates automatically.',
    'home.empty': 'No exhibitions open on or after {date}.',
    'home.from': 'Open on or after',
    'home.show': 'Show',
    'home.more': 'Show more exhibitions',
    'home.moreHint': 'To see more, pick a later date.',
    'home.dates': '{start} – {end}',
    'home.oneDay': '{start}',
    'home.available': 'Places available',
    'home.filling': 'Filling up',
    'home.soldOut': 'Fully booked',
    'home.ended': 'Ended',
    'home.book': 'Choose a time',
    'home.bookLabel': 'Choose a time for {name}',

    'book.title': 'Book a visit',
    'book.heading': 'Book a visit',
    'book.exhibition': 'Exhibition',
    'book.choose': 'Choose an exhibition…',
    'book.option': '{name} ({dates})',
    'book.optionSoldOut': '{name} ({dates}) – fully booked',
    'book.day': '1. Choose a day',
    'book.time': '2. Choose a time',
    'book.party': '3. Who is coming?',
    'book.details': '4. Your details',
    'book.pickDay': 'Choose a day in the calendar to see its times.',
    'book.noTimes': 'No times are left on this day.',
    'book.timesOn': 'Times on {date}',
    'book.left': '{left} places left',
    'book.full': 'Full',
    'book.partyHint': 'Up to {max} people in one booking.',
    'book.partyLimit': 'Up to {max} people: {left} places are left at {time}.',
    'book.fewer': 'Fewer: {category}',
    'book.more': 'More: {category}',
    'book.summary': 'Summary',
    'book.summaryDate': 'Day',
    'book.summaryTime': 'Time',
    'book.summaryParty': 'Party',
    'book.summaryAdmission': 'Admission',
    'book.free': 'Free',
    'book.notChosen': 'Not chosen yet',
    'book.name': 'Your name',
    'book.submit': 'Book',
    'book.submitCount': 'Book for {count}',
    'book.save': 'Save changes',
    'book.changing': 'Changing booking {id}. Pick another time or party, then save.',
    'book.changed': 'Your booking was changed.',
    'book.sending': 'Booking…',
    'book.result': 'Your booking',
    'book.number': 'Booking number',
    'book.visitor': 'Visitor',
    'book.status': 'Status',
    'book.history': 'Status history',
    'book.toMy': 'See all my bookings',
    'book.done': 'Booked! Your booking is being completed.',
    'book.completed': 'Your booking is complete. See you soon!',
    'book.soldOut': 'Sorry, that time no longer has enough places for your party. Please choose another time or fewer people.',
    'book.ended': 'Sorry, that time has already passed. Please choose another time.',
    'book.removed': 'Sorry, this exhibition is no longer available.',
    'book.badSlot': 'That time cannot be booked. Please choose a time from the list.',
    'book.badTickets': 'Please check the number of people.',
    'book.needExhibition': 'Please choose an exhibition.',
    'book.needDay': 'Please choose a day.',
    'book.needSlot': 'Please choose a time.',
    'book.needParty': 'Please add at least one person.',
    'book.unknown': 'We are not sure your booking went through: the server did not answer. Press Book again: if it did go through, you get that booking, not a second one.',

    'cal.label': 'Days of {month}',
    'cal.prev': 'Previous month',
    'cal.next': 'Next month',
    'cal.help': 'Use the arrow keys to move between days, Page Up and Page Down to change month, and Enter to choose.',
    'cal.open': 'Places available',
    'cal.few': 'Few places left',
    'cal.soldOut': 'Fully booked',
    'cal.closed': 'Closed',
    'cal.past': 'Not available',
    'cal.loading': 'Loading',
    'cal.today': 'today',
    'cal.selected': 'Selected: {date}. {count} times available.',
    'cal.month': '{month}',
    'cal.legend': 'Key',

    'cat.adult': 'Adults',
    'cat.youth': 'Youth',
    'cat.child': 'Children',
    'cat.senior': 'Seniors',
    'cat.adult.count': '{n} adult|{n} adults',
    'cat.youth.count': '{n} youth|{n} youth',
    'cat.child.count': '{n} child|{n} children',
    'cat.senior.count': '{n} senior|{n} seniors',
    'party.total': '{n} person|{n} people',

    'my.title': 'My bookings',
    'my.heading': 'My bookings',
    'my.name': 'Visitor name',
    'my.submit': 'Show my bookings',
    'my.caption': 'Bookings of {name}',
    'my.empty': 'No bookings found for {name}.',
    'my.note': 'This list updates automatically while steps complete. You can cancel until your time slot ends.',
    'my.cancel': 'Cancel',
    'my.change': 'Change',
    'my.changeLabel': 'Change booking {id}',
    'my.cancelLabel': 'Cancel booking {id}',
    'my.cancelTitle': 'Cancel this booking?',
    'my.cancelText': 'Booking {id} for {name} on {date} at {time} ({party}) will be canceled and the places released.',
    'my.cancelConfirm': 'Yes, cancel booking',
    'my.canceled': 'Booking {id} was canceled.',
    'my.over': 'Visited',
    'my.noToken': 'No booking of {name} was made in this browser. Your bookings are shown on the device you booked with.',
    'my.reason.DAY_CLOSED': 'The museum closed on that day.',
    'my.reason.EXHIBITION_DELETED': 'The exhibition was withdrawn.',

    'col.booking': 'Booking',
    'col.exhibition': 'Exhibition',
    'col.date': 'Date',
    'col.dates': 'Dates',
    'col.time': 'Time',
    'col.party': 'Party',
    'col.status': 'Booking status',
    'col.confirm': 'Entry confirmation',
    'col.actions': 'Actions',
    'col.visitor': 'Visitor',
    'col.capacity': 'Places per time',
    'col.slotCapacity': 'Capacity',
    'col.booked': 'Booked',
    'col.canceled': 'Canceled',
    'col.left': 'Places left',
    'col.confirmation': 'Confirmation',
    'col.occupancy': 'Occupancy',

    'admin.title': 'Staff',
    'admin.heading': 'Museum staff',
    'admin.backToSite': 'Back to the visitor site',
    'admin.register': 'Create an exhibition',
    'admin.name': 'Exhibition name',
    'admin.description': 'Description',
    'admin.startDate': 'First day',
    'admin.endDate': 'Last day',
    'admin.opens': 'Opens at',
    'admin.closes': 'Closes at',
    'admin.slotMinutes': 'Time slot length (minutes)',
    'admin.slotHint': 'Empty: one slot for the whole day.',
    'admin.capacity': 'Places per time slot',
    'admin.closedWeekdays': 'Closed every',
    'admin.closedDates': 'Closed on these dates',
    'admin.closedDate': 'Date to close',
    'admin.addDate': 'Add date',
    'admin.removeDate': 'Remove {date}',
    'admin.noClosedDates': 'No extra closed dates.',
    'admin.submit': 'Create exhibition',
    'admin.registered': 'Created “{name}”, {dates}.',
    'admin.occupancy': 'Exhibitions',
    'admin.refresh': 'Refresh',
    'admin.empty': 'No exhibitions open on or after {date}.',
    'admin.from': 'Open on or after',
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
    'admin.slots': 'Time slots',
    'admin.slotsLabel': 'Show time slots of {name}',
    'admin.edit': 'Edit',
    'admin.editLabel': 'Edit {name}',
    'admin.delete': 'Delete',
    'admin.deleteLabel': 'Delete {name}',
    'admin.deleteTitle': 'Delete this exhibition?',
    'admin.deleteText': '“{name}” ({dates}) will be removed. Its {count} live bookings will be force-canceled. This cannot be undone.',
    'admin.deleteConfirm': 'Delete exhibition',
    'admin.deleted': 'Deleted “{name}”. Its bookings are being force-canceled.',
    'admin.detailsHeading': 'Bookings of {name}',
    'admin.removedNote': 'This exhibition has been deleted.',
    'admin.close': 'Close',
    'admin.bookings': 'Bookings',
    'admin.confirms': 'Entry confirmations',
    'admin.noBookings': 'No bookings.',
    'admin.noConfirms': 'No entry confirmations.',
    'admin.fixErrors': 'Please correct the marked fields.',
    'admin.editHeading': 'Edit {name}',
    'admin.editSave': 'Save changes',
    'admin.editCancel': 'Cancel',
    'admin.saved': 'Saved “{name}”.',
    'admin.nothingChanged': 'Nothing was changed.',
    'admin.forceTitle': 'Close days that have bookings?',
    'admin.forceText': 'Some of the new closed dates already have bookings. Closing them cancels those bookings, and the visitors are told the museum is closed that day.',
    'admin.forceConfirm': 'Close them and cancel the bookings',
    'admin.slotsHeading': 'Time slots of {name}',
    'admin.slotsDay': 'Day',
    'admin.slotsShow': 'Show',
    'admin.slotsEmpty': 'No time slots on {date} (closed, or outside the exhibition’s dates).',
    'admin.slotsTotal': 'Total',
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
    'valid.time': 'Enter a time such as 09:30.',
    'valid.capacity': 'Enter a whole number from 1 to {max}.',
    'valid.slotMinutes': 'Enter a whole number of minutes that divides the opening hours.',
    'valid.endBeforeStart': 'The last day cannot be before the first day.',
    'valid.closesBeforeOpens': 'Closing must be after opening.',
    'valid.past': 'Choose today or a later date.',

    'status.REQUESTED': 'Requested',
    'status.REQUEST_COMPLETED': 'Confirmed',
    'status.CANCELED': 'Canceled',
    'status.FORCE_CANCELED': 'Canceled by the museum',
    'status.none': 'Pending',

    'dialog.keep': 'No, go back',
    'loading': 'Loading…',
    'error.network': 'Could not reach the museum’s server. Please check your connection and try again.',
    'error.http': 'Something went wrong. Please try again.',
    'error.invalid': 'Some of the details are not right. Please check them.',
    'error.notFound': 'We could not find that. It may have been removed.',
    'error.conflict': 'That could not be done because something changed meanwhile. Please try again.',
    'error.tooMany': 'Too many requests. Please wait a moment and try again.',
    'error.unavailable': 'The museum’s server is busy or unavailable. Please try again shortly.',
    'error.auth': 'Please sign in again.',
    'error.details': 'Details: {detail}',
    'error.refresh': 'Could not refresh: {message}',
  },
  ko: {
    'site.name': 'SK 미술관',
    'site.tagline': '관람료는 무료이며 시간 예약제로 운영합니다. 전시, 날짜, 시간을 고르세요.',
    'nav.label': '주 메뉴',
    'nav.home': '전시',
    'nav.visit': '관람 안내',
    'nav.my': '내 예약',
    'nav.skip': '본문으로 건너뛰기',
    'lang.switch': 'English',
    'lang.switchLang': 'en',

    'footer.visit': '관람 안내',
    'footer.hours': '관람 시간',
    'footer.contact': '문의',
    'footer.policy': '관람료와 취소',
    'footer.policyText': '관람료는 무료이며 예약이 필요합니다. 예약한 관람 시간이 끝나기 전까지 언제든 취소할 수 있습니다.',
    'footer.staff': '관리자 로그인',
    'footer.phone': '전화',
    'footer.email': '이메일',
    'hours.daily': '매일 {opens}–{closes}',
    'hours.closed': '휴관일: {days}',
    'hours.open7': '연중무휴',
    'visit.heading': '관람 안내',
    'visit.address': '주소',
    'visit.hours': '관람 시간',
    'visit.accessibility': '편의 시설',
    'visit.admission': '관람료',
    'visit.admissionText': '무료 (관람 시간 예약 필요)',

    'home.title': '전시',
    'home.heading': '전시',
    'home.note': '종료가 가까운 전시부터 보여 줍니다. 예약 현황은 자동으로 갱신됩니다.',
    'home.empty': '{date} 이후에 열리는 전시가 없습니다.',
    'home.from': '이 날짜 이후 관람 가능',
    'home.show': '보기',
    'home.more': '전시 더 보기',
    'home.moreHint': '더 보려면 더 늦은 날짜를 고르세요.',
    'home.dates': '{start} – {end}',
    'home.oneDay': '{start}',
    'home.available': '예약 가능',
    'home.filling': '마감 임박',
    'home.soldOut': '예약 마감',
    'home.ended': '종료',
    'home.book': '관람 시간 선택',
    'home.bookLabel': '{name} 관람 시간 선택',

    'book.title': '관람 예약',
    'book.heading': '관람 예약',
    'book.exhibition': '전시',
    'book.choose': '전시를 선택하세요…',
    'book.option': '{name} ({dates})',
    'book.optionSoldOut': '{name} ({dates}) – 예약 마감',
    'book.day': '1. 날짜 선택',
    'book.time': '2. 시간 선택',
    'book.party': '3. 관람 인원',
    'book.details': '4. 예약자 정보',
    'book.pickDay': '달력에서 날짜를 고르면 관람 시간이 표시됩니다.',
    'book.noTimes': '이 날은 남은 관람 시간이 없습니다.',
    'book.timesOn': '{date} 관람 시간',
    'book.left': '잔여 {left}석',
    'book.full': '마감',
    'book.partyHint': '한 번에 최대 {max}명까지 예약할 수 있습니다.',
    'book.partyLimit': '최대 {max}명: {time}에 {left}석이 남아 있습니다.',
    'book.fewer': '{category} 줄이기',
    'book.more': '{category} 늘리기',
    'book.summary': '예약 요약',
    'book.summaryDate': '날짜',
    'book.summaryTime': '시간',
    'book.summaryParty': '인원',
    'book.summaryAdmission': '관람료',
    'book.free': '무료',
    'book.notChosen': '선택 전',
    'book.name': '예약자 이름',
    'book.submit': '예약',
    'book.submitCount': '{count} 예약',
    'book.save': '변경 저장',
    'book.changing': '예약 {id}을(를) 변경합니다. 다른 시간이나 인원을 고른 뒤 저장하세요.',
    'book.changed': '예약이 변경되었습니다.',
    'book.sending': '예약 중…',
    'book.result': '예약 내역',
    'book.number': '예약 번호',
    'book.visitor': '예약자',
    'book.status': '상태',
    'book.history': '상태 기록',
    'book.toMy': '내 예약 전체 보기',
    'book.done': '예약되었습니다! 예약 완료 처리 중입니다.',
    'book.completed': '예약이 완료되었습니다. 곧 뵙겠습니다!',
    'book.soldOut': '죄송합니다. 그 시간에는 남은 자리가 부족합니다. 다른 시간을 고르거나 인원을 줄여 주세요.',
    'book.ended': '죄송합니다. 이미 지난 시간입니다. 다른 시간을 골라 주세요.',
    'book.removed': '죄송합니다. 이 전시는 더 이상 예약할 수 없습니다.',
    'book.badSlot': '예약할 수 없는 시간입니다. 목록에서 시간을 골라 주세요.',
    'book.badTickets': '관람 인원을 확인해 주세요.',
    'book.needExhibition': '전시를 선택하세요.',
    'book.needDay': '날짜를 선택하세요.',
    'book.needSlot': '시간을 선택하세요.',
    'book.needParty': '한 명 이상 선택하세요.',
    'book.unknown': '서버가 응답하지 않아 예약이 되었는지 확인하지 못했습니다. 예약 버튼을 다시 누르세요. 이미 예약되었다면 두 번 예약되지 않고 그 예약이 표시됩니다.',

    'cal.label': '{month} 날짜',
    'cal.prev': '이전 달',
    'cal.next': '다음 달',
    'cal.help': '화살표 키로 날짜를 옮기고, Page Up과 Page Down으로 달을 바꾸고, Enter로 선택합니다.',
    'cal.open': '예약 가능',
    'cal.few': '잔여 적음',
    'cal.soldOut': '예약 마감',
    'cal.closed': '휴관',
    'cal.past': '예약 불가',
    'cal.loading': '불러오는 중',
    'cal.today': '오늘',
    'cal.selected': '{date} 선택됨. 예약 가능한 시간 {count}개.',
    'cal.month': '{month}',
    'cal.legend': '범례',

    'cat.adult': '성인',
    'cat.youth': '청소년',
    'cat.child': '어린이',
    'cat.senior': '경로',
    'cat.adult.count': '성인 {n}명',
    'cat.youth.count': '청소년 {n}명',
    'cat.child.count': '어린이 {n}명',
    'cat.senior.count': '경로 {n}명',
    'party.total': '{n}명',

    'my.title': '내 예약',
    'my.heading': '내 예약',
    'my.name': '예약자 이름',
    'my.submit': '내 예약 보기',
    'my.caption': '{name} 님의 예약',
    'my.empty': '{name} 님의 예약이 없습니다.',
    'my.note': '처리 단계가 끝나면 목록이 자동으로 갱신됩니다. 관람 시간이 끝나기 전까지 취소할 수 있습니다.',
    'my.cancel': '취소',
    'my.change': '변경',
    'my.changeLabel': '예약 {id} 변경',
    'my.cancelLabel': '예약 {id} 취소',
    'my.cancelTitle': '이 예약을 취소할까요?',
    'my.cancelText': '{date} {time} {name} 예약 {id}({party})이(가) 취소되고 자리가 반환됩니다.',
    'my.cancelConfirm': '예, 예약을 취소합니다',
    'my.canceled': '예약 {id}이(가) 취소되었습니다.',
    'my.over': '관람 완료',
    'my.noToken': '이 브라우저에서 {name} 님이 예약한 내역이 없습니다. 예약은 예약한 기기에서 볼 수 있습니다.',
    'my.reason.DAY_CLOSED': '그날 미술관이 휴관하게 되었습니다.',
    'my.reason.EXHIBITION_DELETED': '전시가 취소되었습니다.',

    'col.booking': '예약',
    'col.exhibition': '전시',
    'col.date': '날짜',
    'col.dates': '기간',
    'col.time': '시간',
    'col.party': '인원',
    'col.status': '예약 상태',
    'col.confirm': '입장 확인',
    'col.actions': '작업',
    'col.visitor': '예약자',
    'col.capacity': '시간당 정원',
    'col.slotCapacity': '정원',
    'col.booked': '예약',
    'col.canceled': '취소',
    'col.left': '잔여',
    'col.confirmation': '입장 확인',
    'col.occupancy': '예약률',

    'admin.title': '관리자',
    'admin.heading': '미술관 관리자',
    'admin.backToSite': '방문자 사이트로 돌아가기',
    'admin.register': '전시 만들기',
    'admin.name': '전시 이름',
    'admin.description': '설명',
    'admin.startDate': '첫날',
    'admin.endDate': '마지막 날',
    'admin.opens': '시작 시각',
    'admin.closes': '종료 시각',
    'admin.slotMinutes': '관람 시간 단위 (분)',
    'admin.slotHint': '비워 두면 하루 전체가 한 타임입니다.',
    'admin.capacity': '타임당 정원',
    'admin.closedWeekdays': '정기 휴관 요일',
    'admin.closedDates': '휴관 날짜',
    'admin.closedDate': '휴관할 날짜',
    'admin.addDate': '날짜 추가',
    'admin.removeDate': '{date} 삭제',
    'admin.noClosedDates': '추가 휴관일이 없습니다.',
    'admin.submit': '전시 만들기',
    'admin.registered': '“{name}” 전시를 만들었습니다 ({dates}).',
    'admin.occupancy': '전시 목록',
    'admin.refresh': '새로 고침',
    'admin.empty': '{date} 이후에 열리는 전시가 없습니다.',
    'admin.from': '이 날짜 이후 관람 가능',
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
    'admin.slots': '타임별 현황',
    'admin.slotsLabel': '{name} 타임별 현황 보기',
    'admin.edit': '수정',
    'admin.editLabel': '{name} 수정',
    'admin.delete': '삭제',
    'admin.deleteLabel': '{name} 삭제',
    'admin.deleteTitle': '이 전시를 삭제할까요?',
    'admin.deleteText': '“{name}” ({dates}) 전시가 삭제됩니다. 유효한 예약 {count}건은 강제 취소됩니다. 되돌릴 수 없습니다.',
    'admin.deleteConfirm': '전시 삭제',
    'admin.deleted': '“{name}” 전시를 삭제했습니다. 예약을 강제 취소하는 중입니다.',
    'admin.detailsHeading': '{name} 예약 목록',
    'admin.removedNote': '삭제된 전시입니다.',
    'admin.close': '닫기',
    'admin.bookings': '예약',
    'admin.confirms': '입장 확인',
    'admin.noBookings': '예약이 없습니다.',
    'admin.noConfirms': '입장 확인 내역이 없습니다.',
    'admin.fixErrors': '표시된 항목을 고쳐 주세요.',
    'admin.editHeading': '{name} 수정',
    'admin.editSave': '변경 저장',
    'admin.editCancel': '취소',
    'admin.saved': '“{name}” 전시를 저장했습니다.',
    'admin.nothingChanged': '바뀐 내용이 없습니다.',
    'admin.forceTitle': '예약이 있는 날을 휴관할까요?',
    'admin.forceText': '새 휴관 날짜 중 이미 예약이 있는 날이 있습니다. 휴관하면 그 예약은 취소되고, 예약자에게 그날 휴관한다고 안내됩니다.',
    'admin.forceConfirm': '휴관하고 예약 취소',
    'admin.slotsHeading': '{name} 타임별 현황',
    'admin.slotsDay': '날짜',
    'admin.slotsShow': '보기',
    'admin.slotsEmpty': '{date}에는 관람 타임이 없습니다 (휴관이거나 전시 기간이 아님).',
    'admin.slotsTotal': '합계',
    'admin.login': '관리자 로그인',
    'admin.password': '관리자 비밀번호',
    'admin.signIn': '로그인',
    'admin.signOut': '로그아웃',
    'admin.signingIn': '로그인 중…',
    'admin.wrongPassword': '비밀번호가 맞지 않습니다.',
    'admin.signInAgain': '다시 로그인해 주세요.',

    'valid.required': '필수 항목입니다.',
    'valid.tooLong': '{max}자 이하로 입력하세요.',
    'valid.date': '올바른 날짜를 입력하세요.',
    'valid.time': '09:30처럼 시각을 입력하세요.',
    'valid.capacity': '1부터 {max}까지의 정수를 입력하세요.',
    'valid.slotMinutes': '관람 시간을 나누어 떨어지게 하는 분 단위 정수를 입력하세요.',
    'valid.endBeforeStart': '마지막 날은 첫날보다 앞설 수 없습니다.',
    'valid.closesBeforeOpens': '종료 시각은 시작 시각보다 늦어야 합니다.',
    'valid.past': '오늘 이후의 날짜를 고르세요.',

    'status.REQUESTED': '요청됨',
    'status.REQUEST_COMPLETED': '예약 확정',
    'status.CANCELED': '취소됨',
    'status.FORCE_CANCELED': '미술관 사정으로 취소됨',
    'status.none': '대기 중',

    'dialog.keep': '아니요, 돌아가기',
    'loading': '불러오는 중…',
    'error.network': '미술관 서버에 연결할 수 없습니다. 연결을 확인한 뒤 다시 시도하세요.',
    'error.http': '문제가 생겼습니다. 다시 시도해 주세요.',
    'error.invalid': '입력한 내용 중 맞지 않는 것이 있습니다. 확인해 주세요.',
    'error.notFound': '찾을 수 없습니다. 삭제되었을 수 있습니다.',
    'error.conflict': '그사이 상황이 바뀌어 처리하지 못했습니다. 다시 시도해 주세요.',
    'error.tooMany': '요청이 너무 많습니다. 잠시 뒤 다시 시도해 주세요.',
    'error.unavailable': '미술관 서버가 바쁘거나 응답하지 않습니다. 잠시 뒤 다시 시도해 주세요.',
    'error.auth': '다시 로그인해 주세요.',
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

/** Plural-aware text: the key's value may be "one|other" (English); n fills {n}. */
export function tn(key, n, params = {}) {
  const text = TEXTS[lang][key] ?? TEXTS.en[key];
  if (text === undefined) return `${formatNumber(n)} × ${key}`;
  const [one, other = one] = text.split('|');
  return (n === 1 ? one : other).replace(/\{(\w+)\}/g, (m, name) =>
    name === 'n' ? formatNumber(n) : name in params ? String(params[name]) : m,
  );
}

/** Whether a text exists for key (in any language). */
export const hasText = (key) => key in TEXTS.en;

/** The locale of the current language, for Intl. */
export const locale = () => LOCALES[lang];

/** "2031-05-03" → "Sat 3 May 2031" / "2031년 5월 3일 (토)". */
export function formatDay(iso, { weekday = 'short', year = true } = {}) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
  if (!m) return iso || '';
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat(LOCALES[lang], {
    weekday, day: 'numeric', month: 'long', ...(year ? { year: 'numeric' } : {}), timeZone: 'UTC',
  }).format(d);
}

/** "2031-05" → "May 2031" / "2031년 5월". */
export function formatMonth(ym) {
  const [y, mo] = ym.split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALES[lang], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, mo - 1, 1)));
}

/** ISO weekday (1 = Monday … 7 = Sunday) → "Monday" / "월요일" (style 'long' | 'short' | 'narrow'). */
export function weekdayName(isoDay, style = 'long') {
  const d = new Date(Date.UTC(2024, 0, isoDay)); // 2024-01-01 was a Monday
  return new Intl.DateTimeFormat(LOCALES[lang], { weekday: style, timeZone: 'UTC' }).format(d);
}

/** A list in the language's way: "a, b and c" / "a, b 및 c". */
export const formatList = (items) => new Intl.ListFormat(LOCALES[lang], { style: 'long', type: 'conjunction' }).format(items);
